import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AuthModule } from './auth/auth.module.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import type { AppEnv } from './config/env.validation.js';
import { rateLimitOptionsFromEnv } from './config/rate-limit-options.from-env.js';
import { HealthModule } from './health/health.module.js';
import { RateLimitModule } from './rate-limit/index.js';
import { WidgetsModule } from './widgets/widgets.module.js';

/** Namespace under which the validated environment sits in `ConfigService`. */
export const APP_ENV = 'env';

/** The demo API: rate-limited widgets, health, and bearer-JWT auth. */
@Module({})
export class AppModule {
  /**
   * The app for an environment already validated by `validateEnv`.
   * @throws Error when `NODE_ENV=production` and `JWT_SECRET` is unset
   */
  static forRoot(env: AppEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ [APP_ENV]: env })],
        }),
        RateLimitModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) =>
            rateLimitOptionsFromEnv(config.getOrThrow<AppEnv>(APP_ENV)),
        }),
        // Resolved here, before Nest starts, so a missing production secret stops start-up in one line.
        AuthModule.forRoot({ secret: resolveJwtSecret(env, (m) => new Logger('Auth').warn(m)) }),
        WidgetsModule,
        HealthModule,
      ],
    };
  }
}
