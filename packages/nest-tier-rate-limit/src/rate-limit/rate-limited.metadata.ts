import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';

/** Metadata key under which `@RateLimited` stores a route's own limit. */
export const RATE_LIMITED_METADATA = 'rate-limit:route';

/** Metadata key under which `@SkipRateLimit` marks a route or controller as not limited. */
export const SKIP_RATE_LIMIT_METADATA = 'rate-limit:skip';

/** A route's own limit, used when no operator rule matches. */
export interface RateLimitedOptions {
  /** Requests per period. @default the module's `defaultLimit` */
  limit?: number;
  /** Period in seconds. @default the module's `defaultPeriod` */
  period?: number;
  /** How requests are counted. @default the module's `defaultAlgorithm` */
  algorithm?: RateLimitAlgorithm;
  /** `gcra` only: requests that may pass at once after a pause. @default the limit */
  burst?: number;
}
