import { type INestApplication, ValidationPipe } from '@nestjs/common';

/** Global prefix of every demo route. */
export const API_PREFIX = 'api/v1';

/**
 * The app-wide set-up shared by `main.ts` and the e2e tests, so that tests exercise exactly what
 * runs in production (prefix, validation).
 */
export function configureApp<T extends INestApplication>(app: T): T {
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.enableShutdownHooks();
  return app;
}
