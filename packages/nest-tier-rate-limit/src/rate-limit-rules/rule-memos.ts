import {
  fallbackRules,
  type RateLimitFallback,
  type RateLimitRule,
  type RateLimitRuleContext,
} from '../rate-limit/index.js';

/**
 * A tier's rules for a path followed by the module's default total budget, for a tier that sets
 * no total of its own. Remembered per array of rules and total, so that steady traffic over any
 * number of paths allocates nothing.
 */
export class WithDefaultTotal {
  private readonly memo = new WeakMap<
    readonly RateLimitRule[],
    { total: RateLimitRule; rules: readonly RateLimitRule[] }
  >();

  /** `rules`, then `total` when there is one. */
  of(rules: readonly RateLimitRule[], total: RateLimitRule | undefined): readonly RateLimitRule[] {
    if (total === undefined) return rules;
    const known = this.memo.get(rules);
    if (known?.total === total) return known.rules;
    const combined = [...rules, total];
    this.memo.set(rules, { total, rules: combined });
    return combined;
  }
}

/**
 * The route's own rules ({@link fallbackRules} without the module's default total, unless
 * `keepDefault`: the totals are shadows beside it) followed by a tier's totals, which replace
 * that default. The same array for the same path, route and totals in a row, as
 * {@link fallbackRules} does.
 */
export class RouteWithTotals {
  private lastPath = '';
  private lastFallback: RateLimitFallback | undefined;
  private lastTotals: readonly RateLimitRule[] = [];
  private lastRules: readonly RateLimitRule[] = [];

  constructor(private readonly keepDefault = false) {}

  /** The rules for `context` on a tier whose totals are `totals`. */
  of(context: RateLimitRuleContext, totals: readonly RateLimitRule[]): readonly RateLimitRule[] {
    const { path, fallback } = context;
    if (path !== this.lastPath || fallback !== this.lastFallback || totals !== this.lastTotals) {
      // The default total is the very object fallbackRules appends: dropped by identity.
      const all = fallbackRules(context);
      const route = this.keepDefault ? all : all.filter((rule) => rule !== fallback.total);
      this.lastRules = route.concat(totals);
      this.lastPath = path;
      this.lastFallback = fallback;
      this.lastTotals = totals;
    }
    return this.lastRules;
  }
}

/** `first` then `second`, the same array for the same two in a row. */
export class Concatenation {
  private lastFirst: readonly RateLimitRule[] | undefined;
  private lastSecond: readonly RateLimitRule[] | undefined;
  private last: readonly RateLimitRule[] = [];

  of(first: readonly RateLimitRule[], second: readonly RateLimitRule[]): readonly RateLimitRule[] {
    if (first !== this.lastFirst || second !== this.lastSecond) {
      this.last = first.concat(second);
      this.lastFirst = first;
      this.lastSecond = second;
    }
    return this.last;
  }
}
