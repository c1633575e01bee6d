import {
  fallbackRules,
  keyedRules,
  type RateLimitAlgorithm,
  type RateLimitMode,
  type RateLimitRule,
  type RateLimitRuleContext,
  type RateLimitWindow,
  sanitizePath,
  TOTAL_KEY_PATH,
} from '../rate-limit/index.js';
import { Concatenation, RouteWithTotals, WithDefaultTotal } from './rule-memos.js';
import { isTotalPath } from './total-path.js';

/** The fields of a stored rule that rule resolution needs. */
export interface RuleRow {
  tierId: number;
  path: string;
  limit: number;
  period: number;
  /** Absent in rows built before rules had one: the fixed window. */
  algorithm?: RateLimitAlgorithm;
  burst?: number | null;
  /** The rule's name, for headers, metrics and logs. Absent in rows built before: unnamed. */
  name?: string;
  /** Absent in rows built before rules had one: `enforce`. */
  mode?: RateLimitMode;
}

/** One stored path's rules. */
interface PathRules {
  /** The path's rules (one per period), then the tier's totals. */
  rules: readonly RateLimitRule[];
  /** The path's rules alone. */
  own: readonly RateLimitRule[];
  /** Every one of the path's rules is a shadow: what applies without them applies beside them. */
  shadowOnly: boolean;
}

/** One tier's rules, each answer built once. */
interface TierRules {
  paths: Map<string, PathRules>;
  /**
   * The tier's total budget (rules on `*`), keyed on `*`; empty when it sets none. Shadow totals
   * alone are keyed on their period too (`*#60s`), beside the module's default total on `*`.
   */
  totals: readonly RateLimitRule[];
  /** Some total is enforced: the tier's totals replace the module's default total. */
  enforcesTotal: boolean;
  /** Rules held, the totals counted once. */
  size: number;
}

/**
 * Live rules indexed by tier, then path, with each answer built once, so that resolving a
 * request allocates nothing in the steady state. A path may have several rules, one per period;
 * a tier may have a total budget across every guarded route (rules whose path is `*`).
 */
export class RuleTable {
  private readonly byTier = new Map<number, TierRules>();
  private readonly withDefaultTotal = new WithDefaultTotal();
  private readonly routeWithTotals = new RouteWithTotals();
  private readonly routeWithShadowTotals = new RouteWithTotals(true);
  private readonly shadowPath = new Concatenation();

  /** Rows in the order given; of two for one tier, path and period, the later is dropped. */
  constructor(rows: readonly RuleRow[]) {
    const windows = new Map<number, Map<string, RateLimitWindow[]>>();
    for (const row of rows) {
      let paths = windows.get(row.tierId);
      if (paths === undefined)
        windows.set(row.tierId, (paths = new Map<string, RateLimitWindow[]>()));
      // Every spelling of the total (`*`, `/*`) is one budget.
      const path = isTotalPath(row.path) ? TOTAL_KEY_PATH : row.path;
      const { limit, period, algorithm = 'fixed-window', burst, name, mode } = row;
      let list = paths.get(path);
      if (list === undefined) paths.set(path, (list = []));
      list.push({
        limit,
        period,
        algorithm,
        burst: burst ?? undefined,
        mode,
        name,
        source: 'rule',
      });
    }
    for (const [tierId, paths] of windows) this.byTier.set(tierId, tierRules(paths));
  }

  /** Rules held. */
  get size(): number {
    let size = 0;
    for (const tier of this.byTier.values()) size += tier.size;
    return size;
  }

  /**
   * The tier's rules for a request's path, followed by the tier's totals: by sanitized URL path,
   * then sanitized route template, then the path as received. `undefined` when none matches.
   */
  match(
    tierId: number,
    path: string,
    template: string | undefined,
    rawPath: string,
  ): readonly RateLimitRule[] | undefined {
    return this.matchPath(this.byTier.get(tierId), path, template, rawPath)?.rules;
  }

  /** The tier's total budget across every guarded route; empty when it sets none. */
  totals(tierId: number): readonly RateLimitRule[] {
    return this.byTier.get(tierId)?.totals ?? NONE;
  }

  /**
   * Every limit on a request: the caller's tier's rules for the path, else the route's own; then
   * the tier's totals, else the module's default total (`context.fallback.total`). Anonymous
   * callers and tiers without rules get {@link fallbackRules}.
   */
  resolve(context: RateLimitRuleContext): readonly RateLimitRule[] {
    const tierId = context.caller?.tierId;
    if (tierId === null || tierId === undefined) return fallbackRules(context);
    const tier = this.byTier.get(tierId);
    if (tier === undefined) return fallbackRules(context);
    const matched = this.matchPath(tier, context.path, context.template, context.rawPath);
    if (matched !== undefined && !matched.shadowOnly) {
      const { rules } = matched;
      return tier.enforcesTotal ? rules : this.withDefaultTotal.of(rules, context.fallback.total);
    }
    // A shadow rule is tried out beside what applies without it, never instead of it.
    const { totals } = tier;
    let base: readonly RateLimitRule[];
    if (tier.enforcesTotal) base = this.routeWithTotals.of(context, totals);
    else if (totals.length > 0) base = this.routeWithShadowTotals.of(context, totals);
    else base = fallbackRules(context);
    return matched === undefined ? base : this.shadowPath.of(matched.own, base);
  }

  private matchPath(
    tier: TierRules | undefined,
    path: string,
    template: string | undefined,
    rawPath: string,
  ): PathRules | undefined {
    const paths = tier?.paths;
    if (paths === undefined) return undefined;
    return (
      paths.get(path) ??
      (template === undefined ? undefined : paths.get(template)) ??
      paths.get(rawPath)
    );
  }
}

function isShadow(rule: RateLimitRule): boolean {
  return rule.mode === 'shadow';
}

const NONE: readonly RateLimitRule[] = Object.freeze([]);

/** A tier's answers: each path's rules keyed on the path (and period, when it has several). */
function tierRules(windows: Map<string, RateLimitWindow[]>): TierRules {
  const totalWindows = windows.get(TOTAL_KEY_PATH) ?? [];
  let totals = keyedRules(TOTAL_KEY_PATH, totalWindows);
  const enforcesTotal = totals.some((rule) => !isShadow(rule));
  // Shadow totals sit beside the default total, whose key is `*`: never on the same key.
  if (!enforcesTotal)
    totals = totals.map((rule) => ({ ...rule, keyPath: `${TOTAL_KEY_PATH}#${rule.period}s` }));
  const paths = new Map<string, PathRules>();
  let size = totals.length;
  for (const [path, pathWindows] of windows) {
    if (path === TOTAL_KEY_PATH) continue;
    // The counter is keyed on the rule's path, so a template rule gives all ids one counter.
    const own = keyedRules(sanitizePath(path), pathWindows);
    size += own.length;
    paths.set(path, { rules: [...own, ...totals], own, shadowOnly: own.every(isShadow) });
  }
  return { paths, totals, enforcesTotal, size };
}
