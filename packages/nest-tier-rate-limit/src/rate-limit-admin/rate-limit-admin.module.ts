import { Module } from '@nestjs/common';
import { DatabaseUnavailableInterceptor } from './database-unavailable.interceptor.js';
import { RateLimitsController } from './rate-limits/rate-limits.controller.js';
import { RateLimitsService } from './rate-limits/rate-limits.service.js';
import { SuperuserWritesGuard } from './superuser-writes.guard.js';
import { TiersController } from './tiers/tiers.controller.js';
import { TiersService } from './tiers/tiers.service.js';

/**
 * The opt-in admin API: `/rate-limits` and `/tiers`. Needs `RateLimitModule` (for the caller
 * resolver that identifies superusers) and `RateLimitRulesModule` (entities and rule cache).
 * While the database cannot be reached it answers 503 with `Retry-After` (its controllers carry
 * {@link DatabaseUnavailableInterceptor}); the guard keeps serving the rules the cache holds.
 * Its controllers validate their own bodies, queries and params (`ValidatesOwnInput`), with or
 * without a global pipe in the host; `documentRateLimitAdmin(swagger)` adds their OpenAPI docs.
 */
@Module({
  controllers: [RateLimitsController, TiersController],
  providers: [
    RateLimitsService,
    TiersService,
    SuperuserWritesGuard,
    DatabaseUnavailableInterceptor,
  ],
})
export class RateLimitAdminModule {}
