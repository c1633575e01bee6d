import {
  type RateLimitPolicyCheck,
  type RateLimitStore,
  toWholeSeconds,
} from '../../rate-limit/index.js';

/** Where one counter stands; `count` is `null` when the store cannot read it without counting. */
export interface CounterState {
  /** What the store counts: requests in the window (GCRA: requests its cell still holds). */
  count: number | null;
  /** Requests that would pass now. */
  remaining: number | null;
  /** Whole seconds until the window resets (GCRA: until the burst is full), rounded up. */
  resetSeconds: number | null;
  /** Why `count` (or `resetSeconds`) is `null`; `null` when all is known. */
  readError: string | null;
}

/** A hit that counted nothing anywhere: a refund of it gives nothing back. */
const NOTHING_COUNTED = Object.freeze({});

/**
 * Reads each policy's counter without counting a request. A store that gives units back
 * (`countsSeveral`: the built-in ones) is asked to give back 0 units of a hit with no `window`:
 * its refund changes nothing and answers each policy's state, exact for every algorithm
 * (memory, Redis: one script; Memcached: one `gets`, no write). Another store answers a fixed
 * window's count through `getCount`, with no reset time, and nothing for the other algorithms,
 * which it could only read by counting.
 */
export async function readCounters(
  store: RateLimitStore,
  policies: readonly RateLimitPolicyCheck[],
): Promise<CounterState[]> {
  if (policies.length === 0) return [];
  if (store.countsSeveral) {
    const hits = await store.refundPolicies(
      policies,
      policies.map(() => NOTHING_COUNTED),
      0,
    );
    return hits.map(({ count, remaining, resetMs }) => ({
      count,
      remaining,
      resetSeconds: toWholeSeconds(resetMs),
      readError: null,
    }));
  }
  return Promise.all(policies.map((policy) => readByCount(store, policy)));
}

async function readByCount(
  store: RateLimitStore,
  { key, limit, algorithm = 'fixed-window' }: RateLimitPolicyCheck,
): Promise<CounterState> {
  if (algorithm !== 'fixed-window') {
    const readError = `the ${store.name} store reads only fixed-window counters without counting`;
    return { count: null, remaining: null, resetSeconds: null, readError };
  }
  const count = await store.getCount(key);
  const readError = `the ${store.name} store does not report when a window resets`;
  return { count, remaining: Math.max(0, limit - count), resetSeconds: null, readError };
}
