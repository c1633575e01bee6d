import type { RateLimitCaller } from './rate-limit-caller.js';

/** The limit that applies to one request, and the path its counter is keyed on. */
export interface RateLimitRule {
  /** Requests allowed per period. */
  limit: number;
  /** Period in seconds. */
  period: number;
  /** Sanitized path used in the counter key (the rule's path when a rule matched). */
  keyPath: string;
}

/** What a rule resolver knows about a request. */
export interface RateLimitRuleContext {
  /** The caller, or `undefined` for an anonymous request. */
  caller: RateLimitCaller | undefined;
  /** The sanitized URL path, without query string (`api_v1_widgets_42`). */
  path: string;
  /** The URL path as received, without query string (`/api/v1/widgets/42`). */
  rawPath: string;
  /** The sanitized route template when the framework knows it (`api_v1_widgets_{id}`). */
  template: string | undefined;
  /** The route's own limit and period (`@RateLimited`), else the module defaults. */
  fallback: { limit: number; period: number };
}

/**
 * Chooses the rule for a request. Synchronous on purpose: resolvers answer from memory, never
 * from a database on the request path. Provide your own as the `RateLimitRuleResolver` provider.
 */
export abstract class RateLimitRuleResolver {
  abstract resolve(context: RateLimitRuleContext): RateLimitRule;
}

/** The rule when no operator rule matches: the route's fallback, keyed on the URL path. */
export function fallbackRule({ path, fallback }: RateLimitRuleContext): RateLimitRule {
  return { limit: fallback.limit, period: fallback.period, keyPath: path };
}

/** The resolver used when no rules are configured: always {@link fallbackRule}. */
export class FallbackRateLimitRuleResolver extends RateLimitRuleResolver {
  resolve(context: RateLimitRuleContext): RateLimitRule {
    return fallbackRule(context);
  }
}
