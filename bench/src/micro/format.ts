import { count } from '../format.js';
import type { Estimate } from './stats.js';

/** `1,234 [1,201–1,260]`: ns with its 95 % interval (none shown for a single round). */
export function formatEstimate(estimate: Estimate): string {
  if (!Number.isFinite(estimate.low)) return count(estimate.value);
  return `${count(estimate.value)} [${count(estimate.low)}–${count(estimate.high)}]`;
}

/** `1.234 [1.201–1.260]`: three decimals, since A/A noise is a few thousandths here. */
export function formatRatio(estimate: Estimate): string {
  const digits = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '–');
  if (!Number.isFinite(estimate.low)) return digits(estimate.value);
  return `${digits(estimate.value)} [${digits(estimate.low)}–${digits(estimate.high)}]`;
}

/** `±1.2 %` */
export const noisePercent = (bound: number | undefined) =>
  bound === undefined || !Number.isFinite(bound) ? '–' : `±${(100 * bound).toFixed(1)} %`;
