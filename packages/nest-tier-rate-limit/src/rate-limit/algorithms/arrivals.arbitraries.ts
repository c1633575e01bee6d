import fc from 'fast-check';

/** A policy as rules allow it: whole-second periods. */
export const policy = fc.record({
  limit: fc.integer({ min: 1, max: 12 }),
  periodMs: fc.integer({ min: 1, max: 4 }).map((seconds) => seconds * 1000),
});

/**
 * Arrival times in ms, in order, from a start near today's epoch: gaps of 0 (bursts), a few ms,
 * a sub-window, or most of a period, so boundaries get hit from both sides.
 */
export const arrivals = (periodMs: number) =>
  fc
    .tuple(
      fc.integer({ min: 1_790_000_000_000, max: 1_800_000_000_000 }),
      fc.array(
        fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 1, max: periodMs / 10 }),
          fc.integer({ min: periodMs / 2, max: periodMs + 1 }),
        ),
        { minLength: 1, maxLength: 60 },
      ),
    )
    .map(([start, gaps]) => {
      let at = start;
      return gaps.map((gap) => (at += gap));
    });

/** A policy and arrivals for it. */
export const policyAndArrivals = policy.chain((chosen) =>
  arrivals(chosen.periodMs).map((times) => ({ ...chosen, times })),
);

/** Requests passed among `times` in the closed span `[from, from + spanMs]`. */
export const passedIn = (times: readonly number[], from: number, spanMs: number) =>
  times.filter((time) => time >= from && time <= from + spanMs).length;
