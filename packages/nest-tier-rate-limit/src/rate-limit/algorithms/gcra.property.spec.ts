import fc from 'fast-check';
import { passedIn, policyAndArrivals } from './arrivals.arbitraries.js';
import { countGcra, GCRA_RESOLUTION_MS, type GcraCell } from './gcra.js';

const withBurst = policyAndArrivals.chain((chosen) =>
  fc.oneof(fc.constant(chosen.limit), fc.integer({ min: 1, max: 15 })).map((burst) => ({
    ...chosen,
    burst,
  })),
);

/** What passes of `count` requests at `now` against a copy of `cell`. */
function passing(
  cell: GcraCell,
  now: number,
  count: number,
  limit: number,
  periodMs: number,
  burst: number,
) {
  const copy = { ...cell };
  return Array.from({ length: count }, () => countGcra(copy, now, limit, periodMs, burst)).filter(
    (hit) => !hit.limited,
  ).length;
}

describe('GCRA (property)', () => {
  it('lets at most burst + ⌊span / interval⌋ through in any span, ends included (to 10 µs)', () => {
    fc.assert(
      fc.property(withBurst, ({ limit, periodMs, burst, times }) => {
        const cell = { tat: 0 };
        const passed = times.filter((now) => !countGcra(cell, now, limit, periodMs, burst).limited);
        const interval = periodMs / limit;
        for (const [i, from] of passed.entries())
          for (const to of passed.slice(i)) {
            const span = to - from;
            expect(passedIn(passed, from, span)).toBeLessThanOrEqual(
              burst + Math.floor((span + GCRA_RESOLUTION_MS) / interval),
            );
          }
      }),
      { numRuns: 400 },
    );
  });

  it('lets a whole burst through at once after a pause, then one request per interval', () => {
    fc.assert(
      fc.property(withBurst, ({ limit, periodMs, burst }) => {
        const start = 1_795_000_000_000;
        const cell = { tat: 0 };
        expect(passing(cell, start, burst + 1, limit, periodMs, burst)).toBe(burst);
        for (let i = 0; i < burst; i += 1) countGcra(cell, start, limit, periodMs, burst);
        const interval = periodMs / limit;
        for (let k = 1; k <= 3; k += 1)
          expect(passing(cell, start + k * interval, 1, limit, periodMs, burst)).toBe(1);
      }),
    );
  });

  it('means what its headers say: remaining pass now, a full burst after resetMs, a refusal after retryAfterMs', () => {
    fc.assert(
      fc.property(withBurst, ({ limit, periodMs, burst, times }) => {
        const cell = { tat: 0 };
        for (const now of times) {
          const hit = countGcra(cell, now, limit, periodMs, burst);
          expect(passing(cell, now, hit.remaining + 1, limit, periodMs, burst)).toBe(hit.remaining);
          expect(passing(cell, now + hit.resetMs, burst, limit, periodMs, burst)).toBe(burst);
          if (!hit.limited) continue;
          expect(
            passing(
              cell,
              now + hit.retryAfterMs - 2 * GCRA_RESOLUTION_MS,
              1,
              limit,
              periodMs,
              burst,
            ),
          ).toBe(0);
          expect(passing(cell, now + hit.retryAfterMs, 1, limit, periodMs, burst)).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('stores nothing for a refused request', () => {
    const cell = { tat: 0 };
    const now = 1_795_000_000_000;
    countGcra(cell, now, 1, 1000, 1);
    const tat = cell.tat;
    expect(countGcra(cell, now, 1, 1000, 1)).toMatchObject({ limited: true, retryAfterMs: 1000 });
    expect(cell.tat).toBe(tat);
  });
});
