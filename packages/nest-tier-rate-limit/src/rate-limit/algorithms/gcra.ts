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
 * Counts one request of `cost` units with the generic cell rate algorithm: on average one unit
 * every `periodMs / limit`, and up to `burst` at once after a pause. Updates `cell` only when the
 * request passes and `apply` is set (a dry run reports the same hit), so a refusal consumes nothing.
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
  cost = 1,
  apply = true,
): RateLimitHit {
  const interval = periodMs / limit;
  const tat = Math.max(cell.tat, now);
  const next = tat + cost * interval;
  // The earliest time at which this request conforms: the burst lets the TAT run ahead of now.
  const allowAt = next - burst * interval;
  if (allowAt - now > EPSILON_MS) {
    return {
      count: held(tat - now, interval),
      limited: true,
      // What a cheaper request could still take: fewer than `cost`, so 0 for one unit.
      remaining: Math.min(cost - 1, Math.max(0, unitsFree(tat, now, interval, burst))),
      resetMs: tat - now,
      retryAfterMs: allowAt - now,
    };
  }
  // A dry run reports the cell as it stands.
  if (!apply) return state(tat, now, interval, burst);
  cell.tat = next;
  return {
    count: held(next - now, interval),
    limited: false,
    remaining: Math.floor((now - allowAt + EPSILON_MS) / interval),
    resetMs: next - now,
    retryAfterMs: 0,
    // Until then the cell still holds this request's units: what a refund may give back.
    window: next,
  };
}

/** Requests the TAT still holds ahead of now. */
function held(aheadMs: number, interval: number): number {
  return Math.max(0, Math.ceil((aheadMs - EPSILON_MS) / interval));
}

/**
 * Gives back `amount` units of a request whose hit's `window` is `counted` (the TAT just after it):
 * only what the cell still holds of it. Its units drain one interval after another, ending at
 * `counted`, and a drained part was used whatever the answer, so the TAT moves back by at most
 * `counted − now` (and `amount` intervals), never before `now`. Nothing without `counted`.
 * Returns the state after it.
 */
export function refundGcra(
  cell: GcraCell,
  now: number,
  limit: number,
  periodMs: number,
  burst: number,
  amount: number,
  counted: number | undefined,
): RateLimitHit {
  const interval = periodMs / limit;
  const held = counted === undefined ? 0 : Math.max(0, counted - now);
  const tat = Math.max(now, cell.tat - Math.min(amount * interval, held));
  if (cell.tat > now) cell.tat = tat;
  return state(tat, now, interval, burst);
}

/** The hit of a cell whose TAT is `tat`, counting nothing. */
function state(tat: number, now: number, interval: number, burst: number): RateLimitHit {
  return {
    count: held(tat - now, interval),
    limited: false,
    remaining: unitsFree(tat, now, interval, burst),
    resetMs: tat - now,
    retryAfterMs: 0,
  };
}

/** Units that would pass at `now` on a cell whose TAT is `tat` (at least `now`). */
function unitsFree(tat: number, now: number, interval: number, burst: number): number {
  return Math.floor((now - tat + burst * interval + EPSILON_MS) / interval);
}
