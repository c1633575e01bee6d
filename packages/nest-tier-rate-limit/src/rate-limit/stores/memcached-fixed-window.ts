import {
  countFixedWindow,
  type FixedWindowCell,
  refundFixedWindow,
} from '../algorithms/fixed-window.js';
import { type CasStep, lifetimeOf } from './memcached-cas.js';
import type { RateLimitHit } from './rate-limit-store.js';

/*
 * The Memcached fixed window: one number packing the window end, in whole seconds since
 * EPOCH_SECONDS, with the count, so that `incr` counts and the end is read with the count
 * (Memcached cannot report a key's TTL). The one-policy path counts with `incr`; the multi-policy
 * path reads and writes the same number with the steps below, so each reads the other's windows.
 */

/** Window ends are stored in seconds since this Unix time, so that they fit in 30 bits. */
export const EPOCH_SECONDS = 1_700_000_000;
// A value is windowEnd * 2**23 + count, below 2**53 so exact in a JS number: at most 2**23 - 1
// hits per window per key are counted, one more would carry into the window end.
const COUNT_SPAN = 2 ** 23;
const MAX_WINDOW_END = 2 ** 30;

/** A packed value read back: the count and the window end (seconds since EPOCH_SECONDS). */
export interface PackedWindow {
  count: number;
  windowEnd: number;
}

/** The window end (seconds since EPOCH_SECONDS) of a window opened at `nowMs`, whole seconds. */
export function windowEndOf(nowMs: number, periodSeconds: number): number {
  const windowEnd = Math.floor((nowMs + periodSeconds * 1000) / 1000) - EPOCH_SECONDS;
  if (windowEnd < 0 || windowEnd >= MAX_WINDOW_END) {
    throw new RangeError(`The clock reads ${nowMs}, outside the years the memcached store covers`);
  }
  return windowEnd;
}

/** The packed value of a window. */
export function pack(count: number, windowEnd: number): number {
  if (!(count < COUNT_SPAN && windowEnd >= 0 && windowEnd < MAX_WINDOW_END))
    throw new RangeError(`No memcached window packs a count ${count} ending at ${windowEnd}`);
  return windowEnd * COUNT_SPAN + count;
}

/** Reads a packed value; `undefined` for a value that is none (another algorithm's). */
export function unpack(raw: unknown): PackedWindow | undefined {
  const value = typeof raw === 'number' || typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 0) return undefined;
  return { count: value % COUNT_SPAN, windowEnd: Math.floor(value / COUNT_SPAN) };
}

/** The end of a window in ms of the store clock. */
export function windowEndMs(windowEnd: number): number {
  return (EPOCH_SECONDS + windowEnd) * 1000;
}

/**
 * {@link countFixedWindow} of `cost` units over a packed value (another algorithm's value, or
 * none, is an empty window). A window it opens ends on the whole second, as `incr`'s do, and the
 * hit's `window` is that end (ms). With `apply` unset a dry run: the hit, nothing to store.
 */
export function fixedWindowStep(
  now: number,
  limit: number,
  periodMs: number,
  cost: number,
  apply: boolean,
): CasStep {
  return (stored) => {
    const cell = cellOf(stored);
    const hit = onWholeSecond(countFixedWindow(cell, now, limit, periodMs, cost, apply), cell);
    if (hit.limited || !apply) return { hit };
    return { hit, store: packCell(cell), lifetime: lifetimeOf(now, cell.expiresAt) };
  };
}

/**
 * {@link refundFixedWindow} over a packed value: gives back to the window ending at `window`
 * only (none without it), and stores only a count it lowered.
 */
export function fixedWindowRefundStep(
  now: number,
  limit: number,
  window: number | undefined,
  amount: number,
): CasStep {
  return (stored) => {
    const cell = cellOf(stored);
    const before = cell.count;
    const hit = refundFixedWindow(cell, now, limit, window ?? Number.NaN, amount);
    if (cell.count === before) return { hit };
    return { hit, store: packCell(cell), lifetime: lifetimeOf(now, cell.expiresAt) };
  };
}

function cellOf(stored: unknown): FixedWindowCell {
  const packed = unpack(stored);
  if (packed === undefined) return { count: 0, expiresAt: 0 };
  return { count: packed.count, expiresAt: windowEndMs(packed.windowEnd) };
}

function packCell({ count, expiresAt }: FixedWindowCell): number {
  return pack(count, expiresAt / 1000 - EPOCH_SECONDS);
}

/**
 * Moves the end of a window opened at a fraction of a second back to the whole second, in the
 * cell and the hit: stored ends are whole seconds, so only a new window needs it.
 */
function onWholeSecond(hit: RateLimitHit, cell: FixedWindowCell): RateLimitHit {
  const end = hit.window!;
  const early = end - Math.floor(end / 1000) * 1000;
  if (early === 0) return hit;
  if (cell.expiresAt === end) cell.expiresAt = end - early;
  return {
    ...hit,
    window: end - early,
    resetMs: hit.resetMs > 0 ? hit.resetMs - early : 0,
    retryAfterMs: hit.retryAfterMs > 0 ? hit.retryAfterMs - early : 0,
  };
}
