import { expect } from '@jest/globals';
import fc from 'fast-check';
import type { RateLimitAlgorithm } from '../../packages/nest-tier-rate-limit/src/rate-limit/algorithms/rate-limit-algorithm.js';
import type { Clock } from '../../packages/nest-tier-rate-limit/src/rate-limit/clock.js';
import { MemoryRateLimitStore } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memory-rate-limit.store.js';
import type {
  RateLimitHit,
  RateLimitPolicyCheck,
  RateLimitStore,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';
import { countAsReference, maybeShadow, passed } from './same-policies-as-reference.js';

/** A clock the test sets, shared by the store under test and the reference. */
export interface FakeClock extends Clock {
  set(ms: number): void;
}

export function fakeClock(start = 0): FakeClock {
  let time = start;
  return { now: () => time, set: (ms) => (time = ms) };
}

/** A policy of a run, without its key. */
type Shape = Omit<RateLimitPolicyCheck, 'key'>;

const shape: fc.Arbitrary<Shape> = maybeShadow(
  fc
    .record({
      algorithm: fc.constantFrom<RateLimitAlgorithm>('fixed-window', 'sliding-window', 'gcra'),
      limit: fc.integer({ min: 1, max: 6 }),
      // Two seconds at least: Memcached may expire a one-second `incr` window at its next tick.
      period: fc.integer({ min: 2, max: 6 }),
      burst: fc.integer({ min: 1, max: 6 }),
    })
    .map(({ burst, ...policy }) => (policy.algorithm === 'gcra' ? { ...policy, burst } : policy)),
);

// Whole seconds, so that a window opened by either store ends on the same whole second.
const step = fc.constantFrom(0, 0, 0, 1, 1, 2, 3, 7);

type Operation =
  | { kind: 'count'; step: number; mask: number; cost: number; refundable: boolean }
  | { kind: 'refund'; step: number; pick: number; amount: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      step,
      mask: fc.integer({ min: 1, max: 7 }),
      cost: fc.constantFrom(1, 1, 2, 3),
      refundable: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      step,
      pick: fc.nat(),
      amount: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

/**
 * Random sets of 1–3 policies (mixed algorithms, some shadow ones) counted with costs 1–3 and
 * given back at random, through `store` and a {@link MemoryRateLimitStore} on the same clock
 * (shadow policies as {@link countAsReference} makes of it): every answer must agree.
 *
 * The clock runs ahead of the real one, in whole seconds from a whole second, so that Memcached
 * (which expires keys on its own clock) never drops a value before its end on the test's clock. A lone fixed window of
 * one unit is counted with `incr`, which counts into a value Memcached still holds after its end
 * on the test's clock: such a check is made refundable (the compare-and-swap path) instead.
 */
export function expectPoliciesAsMemory(
  store: RateLimitStore,
  clock: FakeClock,
  newPrefix: () => string,
  numRuns: number,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      fc.array(shape, { minLength: 1, maxLength: 3 }),
      fc.array(operation, { minLength: 1, maxLength: 30 }),
      async (shapes, operations) => {
        const prefix = newPrefix();
        const policies = shapes.map((policy, index) => ({ ...policy, key: `${prefix}:${index}` }));
        let now = aheadOfReal();
        clock.set(now);
        const reference = new MemoryRateLimitStore({ clock });
        const touched = new Set<string>();
        const counted: { policies: RateLimitPolicyCheck[]; hits: RateLimitHit[] }[] = [];
        for (const op of operations) {
          // Never behind the real clock, should a run take seconds on a loaded machine.
          now = Math.max(now + op.step * 1000, aheadOfReal());
          clock.set(now);
          if (op.kind === 'refund') {
            if (counted.length === 0) continue;
            const request = counted[op.pick % counted.length];
            const expected = reference.refundPolicies(request.policies, request.hits, op.amount);
            const actual = await store.refundPolicies(request.policies, request.hits, op.amount);
            expect(actual).toEqual(expected);
            continue;
          }
          const chosen = policies.filter((_, index) => (op.mask & (1 << index)) !== 0);
          const checked = chosen.length > 0 ? chosen : [policies[0]];
          const refundable = op.refundable || (await lingers(checked, op.cost, reference, touched));
          const expected = await countAsReference(reference, checked, op.cost, refundable);
          const actual = await store.countPolicies(checked, op.cost, refundable);
          expect(actual).toEqual(expected);
          for (const { key } of checked) touched.add(key);
          if (passed(checked, expected)) counted.push({ policies: checked, hits: expected });
        }
      },
    ),
    { numRuns },
  );
}

/** A whole second at least a second ahead of the real clock. */
const aheadOfReal = () => Math.ceil(Date.now() / 1000) * 1000 + 1000;

/** Whether a lone fixed window of one unit would `incr` a window that has ended. */
async function lingers(
  checked: RateLimitPolicyCheck[],
  cost: number,
  reference: MemoryRateLimitStore,
  touched: Set<string>,
): Promise<boolean> {
  const [{ key, algorithm = 'fixed-window' }] = checked;
  if (checked.length !== 1 || cost !== 1 || algorithm !== 'fixed-window') return false;
  return touched.has(key) && (await reference.getCount(key)) === 0;
}
