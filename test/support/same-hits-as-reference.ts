import { expect } from '@jest/globals';
import fc from 'fast-check';
import { policyAndArrivals } from '../../packages/nest-tier-rate-limit/src/rate-limit/algorithms/arrivals.arbitraries.js';
import { countGcra } from '../../packages/nest-tier-rate-limit/src/rate-limit/algorithms/gcra.js';
import {
  countSlidingWindow,
  newSlidingWindow,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/algorithms/sliding-window.js';
import type { RateLimitHit } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';

/** One check of a backend's implementation, on a fresh key per run, at time `now` (ms). */
type Count = (key: string, limit: number, periodMs: number, now: number) => Promise<RateLimitHit>;

/** Random arrivals, each through `count` and the reference GCRA step: every hit must agree. */
export function expectGcraAsReference(
  count: (...args: [...Parameters<Count>, burst: number]) => Promise<RateLimitHit>,
  newKey: () => string,
  numRuns: number,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      policyAndArrivals,
      fc.integer({ min: 1, max: 15 }),
      async ({ limit, periodMs, times }, burst) => {
        const key = newKey();
        const cell = { tat: 0 };
        for (const now of times) {
          // Only refunds need the hit's window, which the one-policy paths need not report.
          const expected = { ...countGcra(cell, now, limit, periodMs, burst), window: undefined };
          const hit = await count(key, limit, periodMs, now, burst);
          expect({ ...hit, window: undefined }).toEqual(expected);
        }
      },
    ),
    { numRuns },
  );
}

/** Random arrivals, each through `count` and the reference sliding-window step. */
export function expectSlidingWindowAsReference(
  count: Count,
  newKey: () => string,
  numRuns: number,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(policyAndArrivals, async ({ limit, periodMs, times }) => {
      const key = newKey();
      const window = newSlidingWindow(periodMs);
      for (const now of times) {
        // Only refunds need the sub-window, which the one-policy paths need not report.
        const expected = { ...countSlidingWindow(window, now, limit, periodMs), window: undefined };
        expect({ ...(await count(key, limit, periodMs, now)), window: undefined }).toEqual(
          expected,
        );
      }
    }),
    { numRuns },
  );
}
