import {
  fallbackRules,
  FallbackRateLimitRuleResolver,
  keyedRules,
  type RateLimitRule,
  type RateLimitRuleContext,
} from 'nest-tier-rate-limit';
import { ours } from './ours.js';
import type { VariantFactory } from './variant.js';

/** Budgets no scenario reaches: the route's own limit decides, as with one policy. */
const SUSTAINED = { limit: 2_000_000_000, period: 3600, algorithm: 'fixed-window' } as const;
const TOTAL = { defaultTotalLimit: 2_000_000_000, defaultTotalPeriod: 3600 };

/**
 * The route's window, a sustained window beside it and the total budget: three policies, as
 * `@RateLimited([{…}, {…}])` plus `defaultTotalLimit` give them (the bench route has no decorator).
 */
class ThreePolicies extends FallbackRateLimitRuleResolver {
  private lastBase: readonly RateLimitRule[] | undefined;
  private lastRules: readonly RateLimitRule[] = [];

  override resolve(context: RateLimitRuleContext): readonly RateLimitRule[] {
    const base = fallbackRules(context);
    if (base !== this.lastBase) {
      const { path, fallback } = context;
      const windows = keyedRules(`${path}#${fallback.route}`, [fallback, SUSTAINED]);
      this.lastRules = [...windows, ...base.slice(1)];
      this.lastBase = base;
    }
    return this.lastRules;
  }
}

/**
 * This project's guard deciding `count` policies per request on `store`: the route's window and
 * the module's total budget (2), plus a sustained window (3). What several policies cost.
 */
export function oursPolicies(
  store: 'memory' | 'redis' | 'memcached',
  count: 2 | 3,
): VariantFactory {
  return ours(store, undefined, undefined, {
    ...TOTAL,
    ...(count === 3 ? { ruleResolver: new ThreePolicies() } : {}),
  });
}
