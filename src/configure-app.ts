import type { INestApplication } from '@nestjs/common';
import * as swagger from '@nestjs/swagger';
import { documentRateLimitAdmin, StrictValidationPipe } from 'nest-tier-rate-limit/admin';

/** Global prefix of every demo route. */
export const API_PREFIX = 'api/v1';

/** The admin web page, beside the admin API (`RateLimitAdminModule.forRoot({ ui })`). */
export const ADMIN_PAGE_PATH = `/${API_PREFIX}/admin`;

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
  // Operators type /admin: send them to the page, which lives beside the API it calls.
  const http = app.getHttpAdapter();
  http.get('/admin', (_request: unknown, response: unknown) => {
    http.redirect(response, 302, ADMIN_PAGE_PATH);
  });
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
