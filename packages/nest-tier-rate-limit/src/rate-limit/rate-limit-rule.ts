import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';
import type { RateLimitCaller } from './rate-limit-caller.js';

/** `enforce` refuses over the limit; `shadow` counts and reports, but never refuses. */
export type RateLimitMode = 'enforce' | 'shadow';

/** The rule modes, in the order the README and the admin API list them. */
export const RATE_LIMIT_MODES: readonly RateLimitMode[] = ['enforce', 'shadow'];

/**
 * Where a limit comes from: an operator `rule`, the route's own `@RateLimited`, or the module's
 * `default` (limit, or total budget).
 */
export type RateLimitSource = 'rule' | 'route' | 'default';

/** One limit: units per period, and how they are counted. */
export interface RateLimitWindow {
  /** Units allowed per period (a request costs one unless its route says more). */
  limit: number;
  /** Period in seconds. */
  period: number;
  /** How requests are counted. */
  algorithm: RateLimitAlgorithm;
  /** `gcra` only: requests that may pass at once; unset means the limit. */
  burst?: number;
  /** Unset means `enforce`. */
  mode?: RateLimitMode;
  /**
   * What headers, metrics, logs and problem details call it: an operator rule's name, else
   * `route` or `default` (with its period when the route has several limits), `total` for the
   * module's total budget. Never the caller or the request's path. Unset: `default`.
   */
  name?: string;
  /** Where it comes from. Unset: `default`. */
  source?: RateLimitSource;
}

/** A limit that applies to one request, and the path its counter is keyed on. */
export interface RateLimitRule extends RateLimitWindow {
  /**
   * Sanitized path used in the counter key: the rule's path when an operator rule matched (one
   * counter for every method and id it covers), `*` for a total budget across all routes, else
   * the request's canonical path and the route (`api_v1_widgets#GET`,
   * `api_v1_widgets_7#GET@api_v1_widgets_{id}`), so that two routes never share one. When several
   * limits share a path, each key ends in its period (`api_v1_widgets#3600s`).
   */
  keyPath: string;
}

/** The key path of a caller's total budget across every guarded route. */
export const TOTAL_KEY_PATH = '*';

/** What a rule resolver knows about a request. */
export interface RateLimitRuleContext {
  /** The caller, or `undefined` for an anonymous request. */
  caller: RateLimitCaller | undefined;
  /**
   * The canonical path, sanitized (`api_v1_widgets_42`): the route template the router matched
   * with each parameter value in canonical form, so no spelling of one resource (letter case,
   * absolute-form target, percent-encoding, `042` for `42`) reads as another.
   */
  path: string;
  /** The canonical path before sanitizing (`/api/v1/widgets/42`). */
  rawPath: string;
  /** The sanitized route template when the framework knows it (`api_v1_widgets_{id}`). */
  template: string | undefined;
  /** What applies when no operator rule does: see {@link RateLimitFallback}. */
  fallback: RateLimitFallback;
}

/**
 * The route's own limits (`@RateLimited`), else the module defaults, and what keys the route's
 * counters apart: the method it is declared for (`GET`, `ALL`) and, for a template with
 * parameters, the template (`GET@api_v1_widgets_{id}`). Built once per route.
 */
export interface RateLimitFallback extends RateLimitWindow {
  /** Every window of the route, the first one being the fields above. */
  windows: readonly RateLimitWindow[];
  route: string;
  /**
   * The module's total budget (`defaultTotalLimit` / `defaultTotalPeriod`) for callers whose
   * rules set none, keyed on {@link TOTAL_KEY_PATH}; unset when there is none.
   */
  total: RateLimitRule | undefined;
}

/**
 * Chooses the limits for a request: one rule, or several, all decided at once (their key paths
 * distinct). Synchronous on purpose: resolvers answer from memory, never from a database on the
 * request path. Provide your own as the `RateLimitRuleResolver` provider.
 */
export abstract class RateLimitRuleResolver {
  abstract resolve(context: RateLimitRuleContext): RateLimitRule | readonly RateLimitRule[];
}

/**
 * Rules on one key path, each keyed on it as is when it is alone, else on the path and its
 * period. Two rules for one path and period are one too many: the later one is dropped.
 */
export function keyedRules(keyPath: string, windows: readonly RateLimitWindow[]): RateLimitRule[] {
  if (windows.length === 1) {
    // The common case, on every new path of a route: no set, no copies.
    const [{ limit, period, algorithm, burst, mode, name, source }] = windows;
    return [{ limit, period, algorithm, burst, mode, name, source, keyPath }];
  }
  const seen = new Set<number>();
  const distinct = windows.filter(({ period }) => !seen.has(period) && seen.add(period));
  return distinct.map(({ limit, period, algorithm, burst, mode, name, source }) => ({
    limit,
    period,
    algorithm,
    burst,
    mode,
    name,
    source,
    keyPath: distinct.length === 1 ? keyPath : `${keyPath}#${period}s`,
  }));
}

// The last fallback built: one route and path in a row is the common case.
let lastPath = '';
let lastFallback: RateLimitFallback | undefined;
let lastRules: readonly RateLimitRule[] = [];

/**
 * The rules when no operator rule matches: the route's windows, keyed on path and route, and the
 * module's total budget when it has one. The same array for the same path and route in a row.
 */
export function fallbackRules({ path, fallback }: RateLimitRuleContext): readonly RateLimitRule[] {
  if (path !== lastPath || fallback !== lastFallback) {
    const rules = keyedRules(`${path}#${fallback.route}`, fallback.windows);
    if (fallback.total !== undefined) rules.push(fallback.total);
    lastRules = rules;
    lastPath = path;
    lastFallback = fallback;
  }
  return lastRules;
}

/** The resolver used when no rules are configured: always {@link fallbackRules}. */
export class FallbackRateLimitRuleResolver extends RateLimitRuleResolver {
  resolve(context: RateLimitRuleContext): readonly RateLimitRule[] {
    return fallbackRules(context);
  }
}
