import { type DynamicModule, Logger as NestLogger, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'typeorm';
import { AuthModule } from './auth/auth.module.js';
import { demoAdminFrom } from './auth/demo-admin.js';
import { LOGIN_PATH } from './auth/login.controller.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { resolveMaxTokenLifetime } from './auth/token-lifetime.js';
import type { AppEnv } from './config/env.validation.js';
import { rateLimitOptionsFromEnv } from './config/rate-limit-options.from-env.js';
import { buildDataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { RateLimitRuleCache, RateLimitRulesModule } from 'nest-tier-rate-limit/rules';
import { RateLimitModule } from 'nest-tier-rate-limit';
import { WidgetsModule } from './widgets/widgets.module.js';

/** Namespace under which the validated environment sits in `ConfigService`. */
export const APP_ENV = 'env';

/** Extra settings the environment does not carry (tests pass a query-counting logger). */
export interface AppModuleExtras {
  databaseLogger?: Logger;
}

/**
 * The demo API: rate-limited widgets, the admin API, health, metrics, and bearer-JWT auth with a
 * login.
 */
@Module({})
export class AppModule {
  /**
   * The app for an environment already validated by `validateEnv`.
   * @throws Error when `NODE_ENV=production` and `JWT_SECRET` is unset
   */
  static forRoot(env: AppEnv, extras: AppModuleExtras = {}): DynamicModule {
    const appEnv = (config: ConfigService) => config.getOrThrow<AppEnv>(APP_ENV);
    const warn = (message: string) => new NestLogger('Auth').warn(message);
    const demoAdmin = demoAdminFrom(env, warn);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ [APP_ENV]: env })],
        }),
        TypeOrmModule.forRoot({
          ...buildDataSourceOptions({
            databaseUrl: env.databaseUrl,
            pgliteDataDir: env.pgliteDataDir,
            logger: extras.databaseLogger,
          }),
          // Operators get the current schema (and the seeded tiers) on every start.
          migrationsRun: true,
        }),
        RateLimitRulesModule.forRoot({ refreshIntervalMs: env.rateLimitRulesRefreshMs }),
        RateLimitModule.forRootAsync({
          inject: [ConfigService, RateLimitRuleCache],
          useFactory: (config: ConfigService, rules: RateLimitRuleCache) => ({
            ...rateLimitOptionsFromEnv(appEnv(config)),
            ruleResolver: rules,
          }),
        }),
        // The admin web page, with the login form when the demo's login is on.
        RateLimitAdminModule.forRoot({
          ui: demoAdmin === undefined ? true : { loginUrl: LOGIN_PATH },
        }),
        // Resolved here, before Nest starts, so a missing production secret stops start-up in one line.
        AuthModule.forRoot({
          secret: resolveJwtSecret(env, warn),
          maxTokenLifetime: resolveMaxTokenLifetime(env),
          demoAdmin,
        }),
        WidgetsModule,
        HealthModule,
        MetricsModule.forRoot(env.metricsToken),
      ],
    };
  }
}
