import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimit } from './entities/rate-limit.entity.js';
import { Tier } from './entities/tier.entity.js';
import { RateLimitRuleCache } from './rate-limit-rule-cache.js';
import { ConfigurableRateLimitRulesModule } from './rate-limit-rules.module-definition.js';

/**
 * Rules as data: the `Tier` and `RateLimit` entities and the in-memory {@link RateLimitRuleCache}.
 * Global; needs `TypeOrmModule.forRoot()` in the app. Give the cache to the limiter as its rule
 * resolver:
 * @example
 * ```ts
 * RateLimitModule.forRootAsync({
 *   inject: [RateLimitRuleCache],
 *   useFactory: (rules: RateLimitRuleCache) => ({ ruleResolver: rules }),
 * })
 * ```
 */
@Module({
  imports: [TypeOrmModule.forFeature([Tier, RateLimit])],
  providers: [RateLimitRuleCache],
  exports: [RateLimitRuleCache, TypeOrmModule],
})
export class RateLimitRulesModule extends ConfigurableRateLimitRulesModule {}
