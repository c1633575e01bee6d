import { countGcra, refundGcra } from '../algorithms/gcra.js';
import {
  countSlidingWindow,
  newSlidingWindow,
  refundSlidingWindow,
  type SlidingWindowCounts,
  SLIDING_WINDOW_BUCKETS,
} from '../algorithms/sliding-window.js';
import type { MemcachedClient } from './memcached-client.js';
import type { RateLimitHit } from './rate-limit-store.js';

/** What a step makes of a stored value: the hit, and what to store (for how long) if anything. */
export type CasOutcome =
  | { hit: RateLimitHit; store?: undefined }
  | { hit: RateLimitHit; store: string | number; lifetime: number };

/** One counting (or refunding) step over a stored value, run again on each fresh read. */
export type CasStep = (stored: unknown) => CasOutcome;

/** Longest relative TTL memcached accepts; larger numbers mean a Unix time. */
export const MAX_RELATIVE_TTL = 2_592_000;

/**
 * Memcached's expiry time for a value needed until `untilMs` (store clock, real Unix time): a
 * second more than the seconds left, as memcached expires on a whole-second tick up to a second
 * early; the Unix time past the 30 days a relative TTL can say.
 */
export function lifetimeOf(nowMs: number, untilMs: number): number {
  const seconds = Math.ceil(Math.max(0, untilMs - nowMs) / 1000) + 1;
  return seconds <= MAX_RELATIVE_TTL ? seconds : Math.ceil(untilMs / 1000) + 1;
}

/** A pass that could not be stored within the time budget: refused, to be retried at once. */
export function overBudget(hit: RateLimitHit): RateLimitHit {
  return { ...hit, limited: true, remaining: 0, retryAfterMs: 1 };
}

/**
 * Runs tasks one at a time per key, in the order they were queued, a task waiting for every key
 * it names: each waits only for tasks queued before it, so a set of keys can never deadlock.
 */
export class KeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` once every task queued earlier on any of `keys` has settled. */
  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const earlier = keys.flatMap((key) => this.tails.get(key) ?? []);
    const ran = Promise.all(earlier).then(task);
    const settled = ran.catch(() => undefined);
    for (const key of keys) this.tails.set(key, settled);
    // The queue holds only keys with a task in flight.
    void settled.then(() => {
      for (const key of keys) if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return ran;
  }
}

/**
 * Counts requests with compare-and-swap: `gets` the value, run the step, and store its result
 * with `cas` (`add` when there was none), again from a fresh read when another process wrote in
 * between. Exact across processes: a value is only replaced by a step over it. Two round trips
 * when a request passes, one when it is refused (it writes nothing).
 *
 * Checks of one key wait for each other in this process (on `queue`, shared with the
 * multi-policy sequence), so contention comes only from other processes, one contender each, and
 * each round lets one of them through. A check that cannot finish within `budgetMs` of its call
 * (a key flooded beyond what that allows) is refused, so contention never buys quota; a failing
 * call rejects as any store call does.
 */
export class CasCounter {
  constructor(
    private readonly client: MemcachedClient,
    private readonly budgetMs: number,
    private readonly queue = new KeyQueue(),
  ) {}

  /** Counts one request on `key`; `stepAt` builds the step at the moment of each attempt. */
  count(key: string, stepAt: () => CasStep): Promise<RateLimitHit> {
    const deadline = performance.now() + this.budgetMs;
    return this.queue.run([key], () => this.attempt(key, stepAt, deadline));
  }

  private async attempt(key: string, stepAt: () => CasStep, deadline: number) {
    for (;;) {
      const current = await this.client.gets(key);
      const outcome = stepAt()(current?.value);
      if (outcome.store === undefined) return outcome.hit;
      const { store, lifetime } = outcome;
      const stored =
        current === undefined
          ? await this.client.add(key, store, lifetime)
          : await this.client.cas(key, store, current.cas, lifetime);
      if (stored) return outcome.hit;
      if (performance.now() >= deadline) return overBudget(outcome.hit);
    }
  }
}

const GCRA_TAG = 'gcra ';
const SLIDING_TAG = 'sw ';

/**
 * {@link countGcra} of `cost` units over a value `gcra <tat>`; another algorithm's value counts
 * as none. With `apply` unset a dry run: the hit, nothing to store.
 */
export function gcraStep(
  now: number,
  limit: number,
  periodMs: number,
  burst: number,
  cost = 1,
  apply = true,
): CasStep {
  return (stored) => {
    const cell = { tat: tatOf(stored) ?? 0 };
    const hit = countGcra(cell, now, limit, periodMs, burst, cost, apply);
    if (hit.limited || !apply) return { hit };
    return { hit, store: `${GCRA_TAG}${cell.tat}`, lifetime: lifetimeOf(now, now + hit.resetMs) };
  };
}

/** {@link refundGcra} over a value `gcra <tat>`: stores only a TAT it moved back. */
export function gcraRefundStep(
  now: number,
  limit: number,
  periodMs: number,
  burst: number,
  amount: number,
  counted: number | undefined,
): CasStep {
  return (stored) => {
    const tat = tatOf(stored);
    // As the memory store: no cell, nothing to give back, a full burst.
    if (tat === undefined) return { hit: idle(burst) };
    const cell = { tat };
    const hit = refundGcra(cell, now, limit, periodMs, burst, amount, counted);
    if (cell.tat === tat) return { hit };
    return { hit, store: `${GCRA_TAG}${cell.tat}`, lifetime: lifetimeOf(now, now + hit.resetMs) };
  };
}

/**
 * {@link countSlidingWindow} of `cost` units over a value
 * `sw <sub-window ms> <newest> <count>,<count>,…`; another algorithm's value, or a malformed one,
 * counts as an empty window. With `apply` unset a dry run: the hit, nothing to store.
 */
export function slidingWindowStep(
  now: number,
  limit: number,
  periodMs: number,
  cost = 1,
  apply = true,
): CasStep {
  return (stored) => {
    const window = parseWindow(stored) ?? newSlidingWindow(periodMs);
    const hit = countSlidingWindow(window, now, limit, periodMs, cost, apply);
    if (hit.limited || !apply) return { hit };
    return { hit, store: formatWindow(window), lifetime: lifetimeOf(now, now + hit.resetMs) };
  };
}

/**
 * {@link refundSlidingWindow} from sub-window `index` over a stored window: stores only when it
 * gave something back.
 */
export function slidingWindowRefundStep(
  now: number,
  limit: number,
  periodMs: number,
  index: number,
  amount: number,
): CasStep {
  return (stored) => {
    const window = parseWindow(stored) ?? newSlidingWindow(periodMs);
    const before = countSlidingWindow(structuredClone(window), now, limit, periodMs, 0, false);
    const hit = refundSlidingWindow(window, now, limit, periodMs, index, amount);
    if (hit.count === before.count) return { hit };
    return { hit, store: formatWindow(window), lifetime: lifetimeOf(now, now + hit.resetMs) };
  };
}

/** The TAT of a value `gcra <tat>`, `undefined` for any other value. */
function tatOf(stored: unknown): number | undefined {
  if (typeof stored !== 'string' || !stored.startsWith(GCRA_TAG)) return undefined;
  const tat = Number(stored.slice(GCRA_TAG.length));
  return Number.isFinite(tat) ? tat : undefined;
}

function formatWindow({ bucketMs, newest, counts }: SlidingWindowCounts): string {
  return `${SLIDING_TAG}${bucketMs} ${newest} ${counts.join(',')}`;
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

/** The state of a policy with nothing counted. */
function idle(limit: number): RateLimitHit {
  return { count: 0, limited: false, remaining: limit, resetMs: 0, retryAfterMs: 0 };
}
