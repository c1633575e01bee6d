import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { StrictValidationPipe } from './strict-validation.pipe.js';

/** Global prefix of every demo route. */
export const API_PREFIX = 'api/v1';

/** Where the OpenAPI documentation is served (JSON at `/api/docs-json`). */
export const DOCS_PATH = 'api/docs';

/**
 * The app-wide set-up shared by `main.ts` and the e2e tests, so that tests exercise exactly what
 * runs in production (prefix, validation, documentation).
 */
export function configureApp<T extends INestApplication>(app: T): T {
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(
    new StrictValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  const config = new DocumentBuilder()
    .setTitle('Rate limit demo API')
    .setDescription('Per-tier, per-path rate limits managed over REST; widgets to limit.')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config));
  return app;
}
