import type { INestApplication } from '@nestjs/common';
import * as swagger from '@nestjs/swagger';
import { documentRateLimitAdmin, StrictValidationPipe } from 'nest-tier-rate-limit/admin';

/** Global prefix of every demo route. */
export const API_PREFIX = 'api/v1';

/** Where the OpenAPI documentation is served (JSON at `/api/docs-json`). */
export const DOCS_PATH = 'api/docs';

/**
 * The app-wide set-up shared by `main.ts` and the e2e tests, so that tests exercise exactly what
 * runs in production (prefix, validation, documentation).
 */
export function configureApp<T extends INestApplication>(app: T): T {
  // Prometheus scrapes /metrics, the conventional path, outside the API's prefix.
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  app.useGlobalPipes(
    new StrictValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  // The admin package documents itself with this app's Swagger: it does not depend on one.
  documentRateLimitAdmin(swagger);
  const config = new swagger.DocumentBuilder()
    .setTitle('Rate limit demo API')
    .setDescription('Per-tier, per-path rate limits managed over REST; widgets to limit.')
    .addBearerAuth()
    .build();
  const { SwaggerModule } = swagger;
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config));
  return app;
}
