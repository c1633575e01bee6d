/**
 * How a policy counts: `fixed-window` (a counter per period, up to twice the limit across a
 * window boundary), `sliding-window` (never more than the limit in any span of one period) or
 * `gcra` (one request every `period / limit` on average, bursts up to `burst`).
 */
export type RateLimitAlgorithm = 'fixed-window' | 'sliding-window' | 'gcra';

/** Every algorithm, in the order the docs list them. */
export const RATE_LIMIT_ALGORITHMS: readonly RateLimitAlgorithm[] = [
  'fixed-window',
  'sliding-window',
  'gcra',
];

/** How a store counts one request, beside its key, limit and period. */
export interface RateLimitCounting {
  /** @default 'fixed-window' */
  algorithm?: RateLimitAlgorithm;
  /** `gcra` only: requests that may pass at once after a pause. @default the limit */
  burst?: number;
}
