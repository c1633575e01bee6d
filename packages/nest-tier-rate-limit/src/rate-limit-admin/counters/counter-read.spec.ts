import {
  MemoryRateLimitStore,
  type RateLimitHit,
  type RateLimitPolicyCheck,
  RateLimitStore,
} from '../../rate-limit/index.js';
import { readCounters } from './counter-read.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const fixed: RateLimitPolicyCheck = { key: 'k:f', limit: 5, period: 60, algorithm: 'fixed-window' };
const sliding: RateLimitPolicyCheck = {
  key: 'k:s',
  limit: 5,
  period: 60,
  algorithm: 'sliding-window',
};
const gcra: RateLimitPolicyCheck = {
  key: 'k:g',
  limit: 6,
  period: 60,
  algorithm: 'gcra',
  burst: 3,
};

/** A store of one's own that only counts (the base class refuses several policies and refunds). */
class CountingOnlyStore extends RateLimitStore {
  readonly name = 'counting-only';
  private readonly inner = new MemoryRateLimitStore();
  incrementAndCheck(key: string, limit: number, period: number): Promise<RateLimitHit> {
    return this.inner.incrementAndCheck(key, limit, period);
  }
  getCount(key: string) {
    return this.inner.getCount(key);
  }
  reset(key: string) {
    return this.inner.reset(key);
  }
  resetPattern(pattern: string) {
    return this.inner.resetPattern(pattern);
  }
  ping() {
    return Promise.resolve();
  }
}

describe('readCounters', () => {
  it('reads each algorithm exactly, and reading counts nothing', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    for (const policy of [fixed, sliding, gcra])
      for (let i = 0; i < 2; i += 1)
        store.countNow(policy.key, policy.limit, policy.period, policy);
    clock.advance(1_500);
    const read = () => readCounters(store, [fixed, sliding, gcra]);
    const expected = [
      // The window opened 1.5 s ago, for 60 s.
      { count: 2, remaining: 3, resetSeconds: 59, readError: null },
      // Both units went into the sub-window of 996–1002 s, which leaves 11 sub-windows on: 1062 s.
      { count: 2, remaining: 3, resetSeconds: 61, readError: null },
      // Two cells of 10 s each, 1.5 s drained: 18.5 s until the burst is whole; 1 unit free.
      { count: 2, remaining: 1, resetSeconds: 19, readError: null },
    ];
    expect(await read()).toEqual(expected);
    expect(await read()).toEqual(expected);
    expect(store.countNow(fixed.key, 5, 60, fixed)).toMatchObject({ count: 3, remaining: 2 });
    expect(store.countNow(sliding.key, 5, 60, sliding)).toMatchObject({ count: 3, remaining: 2 });
    expect(store.countNow(gcra.key, 6, 60, gcra)).toMatchObject({ limited: false, remaining: 0 });
  });

  it('reads a fixed window past its limit as counted, nothing left', async () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 7; i += 1) store.countNow(fixed.key, 5, 60);
    expect(await readCounters(store, [fixed])).toMatchObject([{ count: 7, remaining: 0 }]);
  });

  it('reads what nobody counted as a full quota', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    store.countNow(fixed.key, 5, 1);
    clock.advance(1_000);
    expect(await readCounters(store, [fixed, sliding, gcra])).toEqual([
      { count: 0, remaining: 5, resetSeconds: 0, readError: null },
      { count: 0, remaining: 5, resetSeconds: 0, readError: null },
      { count: 0, remaining: 3, resetSeconds: 0, readError: null },
    ]);
    expect(await readCounters(store, [])).toEqual([]);
  });

  it('on a store that only counts: a fixed window by getCount, the rest unknown', async () => {
    const store = new CountingOnlyStore();
    await store.incrementAndCheck(fixed.key, 5, 60);
    expect(await readCounters(store, [fixed, gcra])).toEqual([
      {
        count: 1,
        remaining: 4,
        resetSeconds: null,
        readError: 'the counting-only store does not report when a window resets',
      },
      {
        count: null,
        remaining: null,
        resetSeconds: null,
        readError: 'the counting-only store reads only fixed-window counters without counting',
      },
    ]);
  });
});
