import type { RateLimitHit } from '../stores/rate-limit-store.js';

/** Sub-windows a period is cut into: a request counts for between 1 and 1.1 periods. */
export const SLIDING_WINDOW_BUCKETS = 10;
const SLOTS = SLIDING_WINDOW_BUCKETS + 1;
/** The ring position of sub-window `index` (which is negative before 1970 + 11 sub-windows). */
const slot = (index: number) => ((index % SLOTS) + SLOTS) % SLOTS;

/**
 * What the sliding window keeps per key: the counts of the last {@link SLIDING_WINDOW_BUCKETS}
 * + 1 sub-windows of `bucketMs`, in a ring indexed by sub-window number, and the newest one.
 */
export interface SlidingWindowCounts {
  bucketMs: number;
  newest: number;
  counts: number[];
}

/** An empty window for a period (a whole number of seconds, so sub-windows are whole ms). */
export function newSlidingWindow(periodMs: number): SlidingWindowCounts {
  return {
    bucketMs: periodMs / SLIDING_WINDOW_BUCKETS,
    newest: Number.NEGATIVE_INFINITY,
    counts: new Array<number>(SLOTS).fill(0),
  };
}

/**
 * Counts one request of `cost` units in a sliding window of `periodMs` (a refusal counts nothing;
 * it may drop sub-windows that have expired). A unit is counted from its arrival until the end of
 * the sub-window a period later, so the counted set always covers the last period. The hit's
 * `window` is the sub-window the units went into, which {@link refundSlidingWindow} needs.
 *
 * Guarantee: any span of `periodMs`, ends included, holds at most `limit` passed units — no
 * boundary burst, whatever the arrivals. The price: a request is refused only when the last
 * `periodMs × 1.1` hold `limit` passed units, so a caller at exactly the limit's rate sees
 * about one request in eleven refused.
 *
 * With `apply` unset, a request that would pass is not counted, and the hit reports the window as
 * it stands. A window kept for another period starts afresh (a rule change applies on the next
 * request).
 */
export function countSlidingWindow(
  window: SlidingWindowCounts,
  now: number,
  limit: number,
  periodMs: number,
  cost = 1,
  apply = true,
): RateLimitHit {
  const current = advance(window, now, periodMs);
  const { counts } = window;
  let count = 0;
  for (const inBucket of counts) count += inBucket;
  const limited = count + cost > limit;
  if (!limited && apply) {
    counts[slot(current)] += cost;
    count += cost;
  }
  return {
    count,
    limited,
    remaining: Math.max(0, limit - count),
    resetMs: untilEmpty(window, now),
    retryAfterMs: limited ? untilBelow(window, now, count + cost - limit) : 0,
    window: current,
  };
}

/**
 * Gives back `amount` units counted in sub-window `index` (the `window` of their hit), never
 * more than it holds; nothing once that sub-window has left the window. Returns the state after.
 */
export function refundSlidingWindow(
  window: SlidingWindowCounts,
  now: number,
  limit: number,
  periodMs: number,
  index: number,
  amount: number,
): RateLimitHit {
  const current = advance(window, now, periodMs);
  const { counts } = window;
  if (index <= current && index > current - SLOTS)
    counts[slot(index)] = Math.max(0, counts[slot(index)] - amount);
  let count = 0;
  for (const inBucket of counts) count += inBucket;
  return {
    count,
    limited: false,
    remaining: Math.max(0, limit - count),
    resetMs: untilEmpty(window, now),
    retryAfterMs: 0,
  };
}

/** Drops the sub-windows that have expired by `now` and returns the current one. */
function advance(window: SlidingWindowCounts, now: number, periodMs: number): number {
  const bucketMs = periodMs / SLIDING_WINDOW_BUCKETS;
  if (window.bucketMs !== bucketMs) Object.assign(window, newSlidingWindow(periodMs));
  const { counts } = window;
  // A clock that stepped back counts in the newest sub-window it has seen.
  const current = Math.max(Math.floor(now / bucketMs), window.newest);
  const expired = Math.min(current - window.newest, SLOTS);
  for (let step = 1; step <= expired; step += 1) counts[slot(current - expired + step)] = 0;
  window.newest = current;
  return current;
}

/** When a sub-window `index` stops counting. */
const leavesAt = (index: number, bucketMs: number) => (index + SLOTS) * bucketMs;

/** Milliseconds until every counted request has left the window. */
function untilEmpty({ counts, newest, bucketMs }: SlidingWindowCounts, now: number): number {
  for (let index = newest; index > newest - SLOTS; index -= 1)
    if (counts[slot(index)] > 0) return leavesAt(index, bucketMs) - now;
  return 0;
}

/** Milliseconds until at least `leaving` of the counted requests have left the window. */
function untilBelow(
  { counts, newest, bucketMs }: SlidingWindowCounts,
  now: number,
  leaving: number,
): number {
  let left = 0;
  for (let index = newest - SLOTS + 1; index <= newest; index += 1) {
    left += counts[slot(index)];
    if (left >= leaving) return leavesAt(index, bucketMs) - now;
  }
  return untilEmpty({ counts, newest, bucketMs }, now);
}
