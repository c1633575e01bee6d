import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';
import type { RateLimitCaller } from './rate-limit-caller.js';

/** The limit that applies to one request, and the path its counter is keyed on. */
export interface RateLimitRule {
  /** Requests allowed per period. */
  limit: number;
  /** Period in seconds. */
  period: number;
  /** How requests are counted. */
  algorithm: RateLimitAlgorithm;
  /** `gcra` only: requests that may pass at once; unset means the limit. */
  burst?: number;
  /**
   * Sanitized path used in the counter key: the rule's path when an operator rule matched (one
   * counter for every method and id it covers), else the request's canonical path and the
   * route (`api_v1_widgets#GET`, `api_v1_widgets_7#GET@api_v1_widgets_{id}`), so that two routes
   * never share one.
   */
  keyPath: string;
}

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
  /**
   * The route's own limit and period (`@RateLimited`), else the module defaults, and what keys
   * the route's counter apart: the method it is declared for (`GET`, `ALL`) and, for a template
   * with parameters, the template (`GET@api_v1_widgets_{id}`).
   */
  fallback: {
    limit: number;
    period: number;
    algorithm: RateLimitAlgorithm;
    burst?: number;
    route: string;
  };
}

/**
 * Chooses the rule for a request. Synchronous on purpose: resolvers answer from memory, never
 * from a database on the request path. Provide your own as the `RateLimitRuleResolver` provider.
 */
export abstract class RateLimitRuleResolver {
  abstract resolve(context: RateLimitRuleContext): RateLimitRule;
}

// The last fallback key path built: one route and path in a row is the common case.
let lastPath = '';
let lastRoute = '';
let lastKeyPath = '#';

/** The rule when no operator rule matches: the route's fallback, keyed on path and route. */
export function fallbackRule({ path, fallback }: RateLimitRuleContext): RateLimitRule {
  if (path !== lastPath || fallback.route !== lastRoute) {
    lastKeyPath = `${path}#${fallback.route}`;
    lastPath = path;
    lastRoute = fallback.route;
  }
  const { limit, period, algorithm, burst } = fallback;
  return { limit, period, algorithm, burst, keyPath: lastKeyPath };
}

/** The resolver used when no rules are configured: always {@link fallbackRule}. */
export class FallbackRateLimitRuleResolver extends RateLimitRuleResolver {
  resolve(context: RateLimitRuleContext): RateLimitRule {
    return fallbackRule(context);
  }
}
