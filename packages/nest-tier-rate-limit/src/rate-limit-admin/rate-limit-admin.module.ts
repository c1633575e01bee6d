import { type DynamicModule, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { RateLimitCountersController } from './counters/rate-limit-counters.controller.js';
import { RateLimitCountersService } from './counters/rate-limit-counters.service.js';
import { DatabaseUnavailableInterceptor } from './database-unavailable.interceptor.js';
import { RateLimitPoliciesController } from './policies/rate-limit-policies.controller.js';
import { RateLimitPolicyExplainer } from './policies/rate-limit-policy-explainer.js';
import { RateLimitRouteFinder } from './policies/rate-limit-route-finder.js';
import {
  RATE_LIMIT_ADMIN_OPTIONS,
  type RateLimitAdminModuleOptions,
} from './rate-limit-admin.options.js';
import { RateLimitsController } from './rate-limits/rate-limits.controller.js';
import { RateLimitsService } from './rate-limits/rate-limits.service.js';
import { SuperuserWritesGuard } from './superuser-writes.guard.js';
import { TiersController } from './tiers/tiers.controller.js';
import { TiersService } from './tiers/tiers.service.js';
import { assertAdminLoginUrl } from './ui/admin-ui-paths.js';
import { RateLimitAdminUiController } from './ui/rate-limit-admin-ui.controller.js';

/**
 * The opt-in admin API: `/rate-limits` and `/tiers`, and `/rate-limit-policies` (which limits a
 * request falls under, and why) and `/rate-limit-counters` (a caller's live counters). Needs
 * `RateLimitModule` (for the caller resolver that identifies superusers) and
 * `RateLimitRulesModule` (entities and rule cache).
 * While the database cannot be reached it answers 503 with `Retry-After` (its controllers carry
 * {@link DatabaseUnavailableInterceptor}); the guard keeps serving the rules the cache holds.
 * Its controllers validate their own bodies, queries and params (`ValidatesOwnInput`), with or
 * without a global pipe in the host; `documentRateLimitAdmin(swagger)` adds their OpenAPI docs.
 * Import it as is (routes at the app's prefix, superusers write) or through {@link forRoot}.
 */
@Module({
  controllers: [
    RateLimitsController,
    TiersController,
    RateLimitPoliciesController,
    RateLimitCountersController,
  ],
  providers: [
    RateLimitsService,
    TiersService,
    SuperuserWritesGuard,
    DatabaseUnavailableInterceptor,
    RateLimitRouteFinder,
    RateLimitPolicyExplainer,
    RateLimitCountersService,
  ],
})
export class RateLimitAdminModule {
  /**
   * The admin API under its own path, with the host's rule of who may write, and the admin web
   * page with `ui`.
   * @example RateLimitAdminModule.forRoot({ path: 'admin', canWrite: (req) => isOps(req) })
   * @example RateLimitAdminModule.forRoot({ ui: { loginUrl: '/auth/login' } })
   * @throws Error when `ui.loginUrl` names another origin
   */
  static forRoot(options: RateLimitAdminModuleOptions = {}): DynamicModule {
    const path = options.path?.replace(/^\/+|\/+$/g, '') ?? '';
    const ui = options.ui ?? false;
    if (typeof ui === 'object' && ui.loginUrl !== undefined) assertAdminLoginUrl(ui.loginUrl);
    return {
      module: RateLimitAdminModule,
      imports: path === '' ? [] : [RouterModule.register([{ path, module: RateLimitAdminModule }])],
      controllers: ui === false ? [] : [RateLimitAdminUiController],
      providers: [{ provide: RATE_LIMIT_ADMIN_OPTIONS, useValue: options }],
    };
  }
}
