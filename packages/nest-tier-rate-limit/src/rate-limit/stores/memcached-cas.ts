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
 * Counts requests with compare-and-swap: `gets` the value, run the step, and store its result
 * with `cas` (`add` when there was none), again from a fresh read when another process wrote in
 * between. Exact across processes: a value is only replaced by a step over it. Two round trips
 * when a request passes, one when it is refused (it writes nothing).
 *
 * Checks of one key wait for each other in this process, so contention comes only from other
 * processes, one contender each, and each round lets one of them through. A check that cannot
 * finish within `budgetMs` of its call (a key flooded beyond what that allows) is refused, so
 * contention never buys quota; a failing call rejects as any store call does.
 */
export class CasCounter {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: MemcachedClient,
    private readonly budgetMs: number,
  ) {}

  /** Counts one request on `key`; `stepAt` builds the step at the moment of each attempt. */
  count(key: string, stepAt: () => CasStep): Promise<RateLimitHit> {
    const deadline = performance.now() + this.budgetMs;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = () => this.attempt(key, stepAt, deadline);
    const counted = previous.then(run, run);
    const settled = counted.catch(() => undefined);
    this.queues.set(key, settled);
    // The queue holds only keys with a check in flight.
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return counted;
  }

  private async attempt(key: string, stepAt: () => CasStep, deadline: number) {
    for (;;) {
      const current = await this.client.gets(key);
      const { hit, store } = stepAt()(current?.value);
      if (store === undefined) return hit;
      // Memcached expires on a whole-second tick, up to a second early: keep a second more.
      const lifetime = Math.ceil(hit.resetMs / 1000) + 1;
      const stored =
        current === undefined
          ? await this.client.add(key, store, lifetime)
          : await this.client.cas(key, store, current.cas, lifetime);
      if (stored) return hit;
      if (performance.now() >= deadline)
        return { ...hit, limited: true, remaining: 0, retryAfterMs: 1 };
    }
  }
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
    if (hit.limited) return { hit };
    return {
      hit,
      store: `${SLIDING_TAG}${window.bucketMs} ${window.newest} ${window.counts.join(',')}`,
    };
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
