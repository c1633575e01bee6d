import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';
import type { RateLimitMode } from './rate-limit-rule.js';

/** Metadata key under which `@RateLimited` stores a route's own limits. */
export const RATE_LIMITED_METADATA = 'rate-limit:route';

/** Metadata key under which `@SkipRateLimit` marks a route or controller as not limited. */
export const SKIP_RATE_LIMIT_METADATA = 'rate-limit:skip';

/** One of a route's own limits, used when no operator rule matches. */
export interface RateLimitedWindow {
  /** Requests per period. @default the module's `defaultLimit` */
  limit?: number;
  /** Period in seconds. @default the module's `defaultPeriod` */
  period?: number;
  /** How requests are counted. @default the module's `defaultAlgorithm` */
  algorithm?: RateLimitAlgorithm;
  /** `gcra` only: requests that may pass at once after a pause. @default the limit */
  burst?: number;
  /**
   * `shadow` counts and reports (headers, metrics, a sampled log line) but never refuses: for
   * trying a limit out before it applies. @default 'enforce'
   */
  mode?: RateLimitMode;
}

/**
 * Which answers use quota once the handler has answered: `all` (the guard's hit stands),
 * `failed` (status ≥ 400, exceptions included: login attempts) or `successful` (status < 400).
 */
export type RateLimitCountMode = 'all' | 'failed' | 'successful';

/** What a request of the route costs, beside its limits. */
export interface RateLimitedSettlement {
  /**
   * Which answers keep their hit; the others get it back once the handler has answered
   * (`RateLimitInterceptor`, which `@RateLimited` then applies).
   * @default 'all'
   */
  count?: RateLimitCountMode;
  /** Units each request uses, a positive integer (bulk endpoints). @default 1 */
  cost?: number;
}

/** A route's own limit, and what its requests cost. */
export interface RateLimitedOptions extends RateLimitedWindow, RateLimitedSettlement {}

/** What `@RateLimited` stores: the route's windows (none: the defaults) and its settlement. */
export interface RateLimitedMetadata {
  windows: readonly RateLimitedWindow[];
  count: RateLimitCountMode;
  cost: number;
}
