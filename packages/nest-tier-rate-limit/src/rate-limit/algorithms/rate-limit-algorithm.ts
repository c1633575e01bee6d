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

/**
 * What is wrong with an algorithm and burst given together, or `undefined`: the algorithm must be
 * one of {@link RATE_LIMIT_ALGORITHMS}, and a burst, a positive integer, goes only with `gcra`.
 */
export function countingProblem(algorithm: unknown, burst: unknown): string | undefined {
  if (algorithm !== undefined && !RATE_LIMIT_ALGORITHMS.includes(algorithm as RateLimitAlgorithm))
    return `algorithm must be one of ${RATE_LIMIT_ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}`;
  if (burst === undefined || burst === null) return undefined;
  if (algorithm !== 'gcra') return 'burst applies to the gcra algorithm only';
  if (!Number.isSafeInteger(burst) || (burst as number) <= 0)
    return `burst must be a positive integer, got ${JSON.stringify(burst)}`;
  return undefined;
}
