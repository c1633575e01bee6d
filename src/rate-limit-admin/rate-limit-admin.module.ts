import { Module } from '@nestjs/common';
import { RateLimitsController } from './rate-limits/rate-limits.controller.js';
import { RateLimitsService } from './rate-limits/rate-limits.service.js';
import { SuperuserWritesGuard } from './superuser-writes.guard.js';
import { TiersController } from './tiers/tiers.controller.js';
import { TiersService } from './tiers/tiers.service.js';

/**
 * The opt-in admin API: `/rate-limits` and `/tiers`. Needs `RateLimitModule` (for the caller
 * resolver that identifies superusers) and `RateLimitRulesModule` (entities and rule cache).
 */
@Module({
  controllers: [RateLimitsController, TiersController],
  providers: [RateLimitsService, TiersService, SuperuserWritesGuard],
})
export class RateLimitAdminModule {}
