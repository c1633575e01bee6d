import { countGcra } from '../algorithms/gcra.js';
import {
  countSlidingWindow,
  newSlidingWindow,
  type SlidingWindowCounts,
  SLIDING_WINDOW_BUCKETS,
} from '../algorithms/sliding-window.js';
import type { MemcachedClient } from './memcached-client.js';
import type { RateLimitHit } from './rate-limit-store.js';

/** One counting step over a value kept as text: the hit, and what to store when it passed. */
export type CasStep = (stored: unknown) => { hit: RateLimitHit; store?: string };

/**
 * Tries a key's `gets` + `cas` this many times before refusing: each round lets one of the
 * contending checks through, and a refusal writes nothing, so contention on one key ends
 * within about `limit` rounds.
 */
export const CAS_ATTEMPTS = 32;

/**
 * Counts one request with compare-and-swap: `gets` the value, run the step, and store its
 * result with `cas` (`add` when there was none), again from a fresh read when another process
 * wrote in between. Exact across processes: a value is only replaced by a step over it. Two
 * round trips when the request passes, one when it is refused. Checks that still lose the race
 * after {@link CAS_ATTEMPTS} are refused, so contention never buys quota.
 * @param stepAt the step, built at the moment of each attempt (its `now`)
 */
export async function countByCas(
  client: MemcachedClient,
  key: string,
  stepAt: () => CasStep,
): Promise<RateLimitHit> {
  let hit: RateLimitHit | undefined;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
    const current = await client.gets(key);
    const outcome = stepAt()(current?.value);
    hit = outcome.hit;
    if (outcome.store === undefined) return hit;
    // Memcached expires on a whole-second tick, up to a second early: keep a second more.
    const lifetime = Math.ceil(hit.resetMs / 1000) + 1;
    const stored =
      current === undefined
        ? await client.add(key, outcome.store, lifetime)
        : await client.cas(key, outcome.store, current.cas, lifetime);
    if (stored) return hit;
  }
  return { ...hit!, limited: true, remaining: 0, retryAfterMs: Math.max(1, hit!.retryAfterMs) };
}

const GCRA_TAG = 'gcra ';
const SLIDING_TAG = 'sw ';

/** {@link countGcra} over a value `gcra <tat>`; another algorithm's value counts as none. */
export function gcraStep(now: number, limit: number, periodMs: number, burst: number): CasStep {
  return (stored) => {
    const tat =
      typeof stored === 'string' && stored.startsWith(GCRA_TAG)
        ? Number(stored.slice(GCRA_TAG.length))
        : Number.NaN;
    const cell = { tat: Number.isFinite(tat) ? tat : 0 };
    const hit = countGcra(cell, now, limit, periodMs, burst);
    return { hit, store: hit.limited ? undefined : `${GCRA_TAG}${cell.tat}` };
  };
}

/**
 * {@link countSlidingWindow} over a value `sw <sub-window ms> <newest> <count>,<count>,…`;
 * another algorithm's value, or a malformed one, counts as an empty window.
 */
export function slidingWindowStep(now: number, limit: number, periodMs: number): CasStep {
  return (stored) => {
    const window = parseWindow(stored) ?? newSlidingWindow(periodMs);
    const hit = countSlidingWindow(window, now, limit, periodMs);
    const text = `${SLIDING_TAG}${window.bucketMs} ${window.newest} ${window.counts.join(',')}`;
    return { hit, store: hit.limited ? undefined : text };
  };
}

function parseWindow(stored: unknown): SlidingWindowCounts | undefined {
  if (typeof stored !== 'string' || !stored.startsWith(SLIDING_TAG)) return undefined;
  const [bucketMs, newest, counts] = stored.slice(SLIDING_TAG.length).split(' ');
  const parsed = {
    bucketMs: Number(bucketMs),
    newest: Number(newest),
    counts: (counts ?? '').split(',').map(Number),
  };
  const valid =
    Number.isFinite(parsed.bucketMs) &&
    Number.isFinite(parsed.newest) &&
    parsed.counts.length === SLIDING_WINDOW_BUCKETS + 1 &&
    parsed.counts.every((count) => Number.isSafeInteger(count) && count >= 0);
  return valid ? parsed : undefined;
}
