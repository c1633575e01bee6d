import fc from 'fast-check';
import { MemoryRateLimitStore } from '../stores/memory-rate-limit.store.js';
import { passedIn, policyAndArrivals } from './arrivals.arbitraries.js';
import {
  countSlidingWindow,
  newSlidingWindow,
  SLIDING_WINDOW_BUCKETS,
  type SlidingWindowCounts,
} from './sliding-window.js';

/** Runs `times` through one window: every hit, and the times that passed. */
function run(times: readonly number[], limit: number, periodMs: number) {
  const window = newSlidingWindow(periodMs);
  const hits = times.map((now) => ({ now, hit: countSlidingWindow(window, now, limit, periodMs) }));
  return { hits, passed: hits.filter(({ hit }) => !hit.limited).map(({ now }) => now) };
}

/** What passes of `count` requests at `now` against a copy of `window`. */
function passing(window: SlidingWindowCounts, now: number, count: number, limit: number) {
  const copy = { ...window, counts: [...window.counts] };
  const periodMs = window.bucketMs * SLIDING_WINDOW_BUCKETS;
  return Array.from({ length: count }, () => countSlidingWindow(copy, now, limit, periodMs)).filter(
    (hit) => !hit.limited,
  ).length;
}

const RUNS = { numRuns: 400 };

describe('sliding window (property)', () => {
  it('never lets more than the limit through in any span of one period, ends included', () => {
    fc.assert(
      fc.property(policyAndArrivals, ({ limit, periodMs, times }) => {
        const { passed } = run(times, limit, periodMs);
        for (const from of passed)
          expect(passedIn(passed, from, periodMs)).toBeLessThanOrEqual(limit);
      }),
      RUNS,
    );
  });

  it('refuses only when the last 1.1 periods already hold the limit', () => {
    fc.assert(
      fc.property(policyAndArrivals, ({ limit, periodMs, times }) => {
        const { hits, passed } = run(times, limit, periodMs);
        const span = periodMs + periodMs / SLIDING_WINDOW_BUCKETS;
        for (const { now, hit } of hits)
          if (hit.limited) expect(passedIn(passed, now - span, span)).toBeGreaterThanOrEqual(limit);
      }),
      RUNS,
    );
  });

  it('means what its headers say: remaining pass now, all of the limit after resetMs, a refusal after retryAfterMs', () => {
    fc.assert(
      fc.property(policyAndArrivals, ({ limit, periodMs, times }) => {
        const window = newSlidingWindow(periodMs);
        for (const now of times) {
          const hit = countSlidingWindow(window, now, limit, periodMs);
          expect(passing(window, now, hit.remaining + 1, limit)).toBe(hit.remaining);
          expect(passing(window, now + hit.resetMs, limit, limit)).toBe(limit);
          if (hit.resetMs > 0)
            expect(passing(window, now + hit.resetMs - 1, limit, limit)).toBeLessThan(limit);
          if (!hit.limited) continue;
          expect(passing(window, now + hit.retryAfterMs - 1, 1, limit)).toBe(0);
          expect(passing(window, now + hit.retryAfterMs, 1, limit)).toBe(1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('starts afresh when the period changes, and counts in place when the clock steps back', () => {
    const window = newSlidingWindow(1000);
    const now = 1_795_000_000_000;
    expect(countSlidingWindow(window, now, 1, 1000).limited).toBe(false);
    expect(countSlidingWindow(window, now - 500, 1, 1000).limited).toBe(true);
    expect(countSlidingWindow(window, now, 1, 2000).limited).toBe(false);
  });
});

describe('the boundary burst, as a contrast', () => {
  // One request opens a window, limit − 1 come 1 ms before it ends, limit as it ends.
  const boundary = (limit: number, periodMs: number, start: number) => [
    start,
    ...Array<number>(limit - 1).fill(start + periodMs - 1),
    ...Array<number>(limit).fill(start + periodMs),
  ];

  it.each([
    [1, 1],
    [5, 1],
    [10, 3],
  ])(
    'limit %i per %i s: the fixed window lets 2 × limit − 1 through within 1 ms, the sliding window no more than the limit',
    async (limit, seconds) => {
      const periodMs = seconds * 1000;
      const start = 1_795_000_000_123;
      const times = boundary(limit, periodMs, start);
      let now = start;
      const fixed = new MemoryRateLimitStore({ clock: { now: () => now } });
      const fixedPassed: number[] = [];
      for (const time of times) {
        now = time;
        if (!(await fixed.incrementAndCheck('k', limit, seconds)).limited) fixedPassed.push(time);
      }
      expect(passedIn(fixedPassed, start + periodMs - 1, 1)).toBe(2 * limit - 1);
      const { passed } = run(times, limit, periodMs);
      // The first request still counts as the window ends: limit − 1 more, then none.
      expect(passedIn(passed, start + periodMs - 1, 1)).toBe(limit - 1);
      expect(passedIn(passed, start, periodMs)).toBe(limit);
    },
  );
});
