import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RATE_LIMIT_OPTIONS, resolveRateLimitOptions } from './rate-limit-options.resolve.js';
import type { RateLimitModuleOptions, ResolvedRateLimitOptions } from './rate-limit-options.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import { RateLimitMetrics } from './metrics/rate-limit-metrics.js';
import {
  ConfigurableRateLimitModule,
  RATE_LIMIT_ASYNC_OPTIONS_TYPE,
  RATE_LIMIT_MODULE_OPTIONS,
  RATE_LIMIT_OPTIONS_TYPE,
} from './rate-limit.module-definition.js';
import { RateLimitService } from './rate-limit.service.js';
import { createRateLimitStore } from './stores/create-rate-limit-store.js';
import { RateLimitStore } from './stores/rate-limit-store.js';
import type { DynamicModule } from '@nestjs/common';

/**
 * Rate limiting for the whole app, registered once (global): the store, the service, the guard
 * (which also writes the headers), the interceptor that settles `count` routes, and the
 * Prometheus metrics (`RateLimitMetrics`, whose `registry` an app serves).
 * @example
 * ```ts
 * RateLimitModule.forRoot({ store: 'redis', redis: { url: 'redis://localhost:6379/1' } })
 * ```
 */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_OPTIONS,
      inject: [RATE_LIMIT_MODULE_OPTIONS],
      useFactory: (options: RateLimitModuleOptions) => resolveRateLimitOptions(options),
    },
    {
      provide: RateLimitStore,
      inject: [RATE_LIMIT_OPTIONS],
      useFactory: (options: ResolvedRateLimitOptions) => createRateLimitStore(options),
    },
    {
      provide: RateLimitMetrics,
      inject: [RATE_LIMIT_OPTIONS, RateLimitStore],
      useFactory: (options: ResolvedRateLimitOptions, store: RateLimitStore) =>
        new RateLimitMetrics(store.name, options.metricsRegistry),
    },
    RateLimitService,
    RateLimitGuard,
    RateLimitInterceptor,
  ],
  exports: [
    RateLimitMetrics,
    RateLimitService,
    RateLimitStore,
    RateLimitGuard,
    RateLimitInterceptor,
    RATE_LIMIT_OPTIONS,
  ],
})
export class RateLimitModule extends ConfigurableRateLimitModule {
  /** Registers the module with options known up front. */
  static override forRoot(options: typeof RATE_LIMIT_OPTIONS_TYPE): DynamicModule {
    return withGlobalGuard(super.forRoot(options), options.globalGuard);
  }

  /** Registers the module with options from a factory (for example from `ConfigService`). */
  static override forRootAsync(options: typeof RATE_LIMIT_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withGlobalGuard(super.forRootAsync(options), options.globalGuard);
  }
}

function withGlobalGuard(module: DynamicModule, globalGuard: boolean | undefined): DynamicModule {
  if (globalGuard !== true) return module;
  return {
    ...module,
    providers: [...(module.providers ?? []), { provide: APP_GUARD, useExisting: RateLimitGuard }],
  };
}
