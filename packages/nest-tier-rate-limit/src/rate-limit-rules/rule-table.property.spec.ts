import fc from 'fast-check';
import type {
  RateLimitFallback,
  RateLimitRule,
  RateLimitRuleContext,
} from '../rate-limit/index.js';
import { RuleTable } from './rule-table.js';

// RuleTable.resolve remembers combinations per path, route and totals; these show that a
// remembered answer is never stale: it equals what a fresh table answers a fresh request.

const PERIODS = [1, 60, 3600];
const row = fc.record({
  tierId: fc.integer({ min: 1, max: 2 }),
  path: fc.constantFrom('a', 'b', 'a_{id}', '/b/', '*', '/*'),
  limit: fc.integer({ min: 1, max: 9 }),
  period: fc.constantFrom(...PERIODS),
});

/** Two modules' default totals (one module shares its own among all its routes). */
const total = (limit: number): RateLimitRule => ({
  limit,
  period: 3600,
  algorithm: 'fixed-window',
  keyPath: '*',
});
const [TOTAL, OTHER_TOTAL] = [total(99), total(7)];

/** A route's fallback, as the guard builds it once per route. */
function route(periods: number[], name: string, total?: RateLimitRule): RateLimitFallback {
  const windows = periods.map((period) => ({
    limit: 5,
    period,
    algorithm: 'fixed-window' as const,
  }));
  return { ...windows[0], windows, route: name, total };
}
/** Reused by identity across requests, as the guard does. */
const FALLBACKS = [
  route([60], 'GET', TOTAL),
  route([60], 'POST'),
  route([1, 60], 'GET', TOTAL),
  route([60, 3600], 'GET@a_{id}'),
  route([60], 'GET', OTHER_TOTAL),
];

const request = fc.record({
  tierId: fc.constantFrom(1, 2, 3, null, undefined),
  path: fc.constantFrom('a', 'b', 'a_7', '*'),
  template: fc.constantFrom(undefined, 'a_{id}', '*'),
  fallback: fc.integer({ min: 0, max: FALLBACKS.length - 1 }),
});

type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

function context(r: Request): RateLimitRuleContext {
  const caller =
    r.tierId === undefined ? undefined : { id: 'u', tierId: r.tierId, isSuperuser: false };
  const fallback = FALLBACKS[r.fallback];
  return { caller, path: r.path, rawPath: `/${r.path}/`, template: r.template, fallback };
}

describe('RuleTable memos (property)', () => {
  it('answers every request in any order as a fresh table answers it afresh', () => {
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 12 }),
        fc.array(request, { maxLength: 12 }),
        (rows, requests) => {
          const table = new RuleTable(rows);
          for (const r of requests) {
            const answer = table.resolve(context(r));
            // The same request in a row: the same array, nothing allocated.
            expect(table.resolve(context(r))).toBe(answer);
            // A copy of the fallback defeats every memo keyed on its identity, fallbackRules' too.
            const fresh = context(r);
            fresh.fallback = { ...fresh.fallback };
            expect(answer).toEqual(new RuleTable(rows).resolve(fresh));
          }
        },
      ),
      // Dense enough that every memo meets a stale key within the runs.
      { numRuns: 500 },
    );
  });
});
