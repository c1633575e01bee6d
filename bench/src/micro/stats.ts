import { median } from '../stats.js';

/** A point estimate with its bootstrap 95 % confidence interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

/** The arithmetic mean; NaN when empty. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** The geometric mean (of ratios); NaN when empty. */
export function geometricMean(values: readonly number[]): number {
  return Math.exp(mean(values.map(Math.log)));
}

/** A seeded PRNG (mulberry32): a saved run's intervals re-render identically. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const RESAMPLES = 4000;

/**
 * `statistic(values)` and its percentile-bootstrap 95 % interval: the values (one per round) are
 * resampled with replacement, so the interval reflects how much the rounds disagree.
 */
export function bootstrap(
  values: readonly number[],
  statistic: (sample: readonly number[]) => number,
  seed = 1,
): Estimate {
  const value = statistic(values);
  if (values.length < 2) return { value, low: Number.NaN, high: Number.NaN };
  const next = seededRandom(seed);
  const estimates: number[] = [];
  const sample = new Array<number>(values.length);
  for (let r = 0; r < RESAMPLES; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(next() * values.length)];
    estimates.push(statistic(sample));
  }
  estimates.sort((a, b) => a - b);
  const at = (share: number) => estimates[Math.min(RESAMPLES - 1, Math.floor(share * RESAMPLES))];
  return { value, low: at(0.025), high: at(0.975) };
}

/** The median with its bootstrap interval. */
export const medianEstimate = (values: readonly number[]) => bootstrap(values, median);

/** The mean with its bootstrap interval. */
export const meanEstimate = (values: readonly number[]) => bootstrap(values, mean);

/** The geometric mean of paired ratios with its bootstrap interval. */
export const ratioEstimate = (ratios: readonly number[]) => bootstrap(ratios, geometricMean);
