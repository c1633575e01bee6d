import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, PGLITE_IN_MEMORY } from '#project/database/data-source-options.js';
import { RateLimitGuard, RateLimitModule } from 'nest-tier-rate-limit';
import { RateLimit, RateLimitRuleCache, RateLimitRulesModule } from 'nest-tier-rate-limit/rules';
import { TIER_LIMITS } from '../scenarios.js';
import { tieredCallerFromHeaders } from './caller.js';
import type { VariantFactory } from './variant.js';

/**
 * Raises the seeded rules (`api_v1_widgets_{id}`, tiers 1 and 2) to {@link TIER_LIMITS} before
 * the rule cache loads them (`onModuleInit` runs before its `onApplicationBootstrap`), so that
 * the scenario measures rule resolution, not refusals.
 */
@Injectable()
class RaiseSeededRules implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const rules = this.dataSource.getRepository(RateLimit);
    for (const [tierId, limit] of Object.entries(TIER_LIMITS)) {
      await rules.update({ tierId: Number(tierId), path: 'api_v1_widgets_{id}' }, { limit });
    }
  }
}

/** This project's guard with tier rules from the database, as the demo app wires it. */
export const oursTierRules: VariantFactory = ({ scenario, queryLog }) => ({
  imports: [
    TypeOrmModule.forRoot({
      ...buildDataSourceOptions({ pgliteDataDir: PGLITE_IN_MEMORY, logger: queryLog }),
      migrationsRun: true,
    }),
    RateLimitRulesModule.forRoot({}),
    RateLimitModule.forRootAsync({
      inject: [RateLimitRuleCache],
      useFactory: (rules: RateLimitRuleCache) => ({
        store: 'memory',
        ruleResolver: rules,
        callerResolver: tieredCallerFromHeaders,
        defaultLimit: scenario.limit,
        defaultPeriod: scenario.periodSeconds,
      }),
    }),
  ],
  providers: [RaiseSeededRules],
  guard: RateLimitGuard,
});
