import type { RateLimitHit } from '../stores/rate-limit-store.js';

/** What GCRA keeps per key: one number, the theoretical arrival time of the next request (ms). */
export interface GcraCell {
  tat: number;
}

/**
 * Times closer than this are the same instant: an epoch time in ms is exact to about 0.25 µs as
 * a double, and the interval `period / limit` rarely is, so a TAT drifts by a few of those.
 */
export const GCRA_RESOLUTION_MS = 0.01;
const EPSILON_MS = GCRA_RESOLUTION_MS;

/**
 * Counts one request with the generic cell rate algorithm: on average one request every
 * `periodMs / limit`, and up to `burst` at once after a pause. Updates `cell` only when the
 * request passes, so a refusal consumes nothing.
 *
 * Guarantee (GCRA with tolerance `(burst − 1) × interval`): any span of `L` ms, ends included,
 * holds at most `burst + ⌊(L + GCRA_RESOLUTION_MS) / interval⌋` passed requests. The hit reads the same as every
 * algorithm's: `remaining` more pass at this instant, the caller is back to a full burst after
 * `resetMs`, and a refused request can pass after `retryAfterMs`.
 */
export function countGcra(
  cell: GcraCell,
  now: number,
  limit: number,
  periodMs: number,
  burst: number,
): RateLimitHit {
  const interval = periodMs / limit;
  const tat = Math.max(cell.tat, now);
  const next = tat + interval;
  // The earliest time at which this request conforms: the burst lets the TAT run ahead of now.
  const allowAt = next - burst * interval;
  if (allowAt - now > EPSILON_MS) {
    return {
      count: held(tat - now, interval),
      limited: true,
      remaining: 0,
      resetMs: tat - now,
      retryAfterMs: allowAt - now,
    };
  }
  cell.tat = next;
  return {
    count: held(next - now, interval),
    limited: false,
    remaining: Math.floor((now - allowAt + EPSILON_MS) / interval),
    resetMs: next - now,
    retryAfterMs: 0,
  };
}

/** Requests the TAT still holds ahead of now. */
function held(aheadMs: number, interval: number): number {
  return Math.max(0, Math.ceil((aheadMs - EPSILON_MS) / interval));
}
