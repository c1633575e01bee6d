import type { RateLimitHit } from '../stores/rate-limit-store.js';

/** What a fixed window keeps per key: its count and the clock time (ms) at which it ends. */
export interface FixedWindowCell {
  count: number;
  expiresAt: number;
}

/**
 * Counts one request of `cost` units in a fixed window of `periodMs`, opened by the first request
 * after the last one ended. Never counts a refusal, so a refused request of 5 units leaves the
 * 3 that remain to cheaper ones. With `apply` unset a request that would pass is not counted and
 * the hit reports the window as it stands. The hit's `window` is the window's end, which
 * {@link refundFixedWindow} needs to tell this window from a later one.
 */
export function countFixedWindow(
  cell: FixedWindowCell,
  now: number,
  limit: number,
  periodMs: number,
  cost = 1,
  apply = true,
): RateLimitHit {
  const live = cell.expiresAt > now;
  let count = live ? cell.count : 0;
  const expiresAt = live ? cell.expiresAt : now + periodMs;
  const limited = count + cost > limit;
  if (!limited && apply) {
    count += cost;
    cell.count = count;
    cell.expiresAt = expiresAt;
  }
  const opened = live || (!limited && apply);
  return {
    count,
    limited,
    remaining: Math.max(0, limit - count),
    resetMs: opened ? expiresAt - now : 0,
    // A request dearer than the limit never passes; it is told to wait a whole period.
    retryAfterMs: limited ? expiresAt - now : 0,
    window: expiresAt,
  };
}

/**
 * Gives back `amount` units counted in the window that ends at `window` (the `window` of their
 * hit): nothing once that window has ended, never below 0. A count past the limit holds refused
 * requests (the stores' one-policy path counts them), which are not given back: the refund starts
 * from the limit. Returns the state after.
 */
export function refundFixedWindow(
  cell: FixedWindowCell,
  now: number,
  limit: number,
  window: number,
  amount: number,
): RateLimitHit {
  const live = cell.expiresAt > now;
  if (live && cell.expiresAt === window)
    cell.count = Math.max(0, Math.min(cell.count, limit) - amount);
  const count = live ? cell.count : 0;
  return {
    count,
    limited: false,
    remaining: Math.max(0, limit - count),
    resetMs: live ? cell.expiresAt - now : 0,
    retryAfterMs: 0,
  };
}
