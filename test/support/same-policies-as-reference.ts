import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { expect } from '@jest/globals';
import fc from 'fast-check';
import { arrivals } from '../../packages/nest-tier-rate-limit/src/rate-limit/algorithms/arrivals.arbitraries.js';
import { MemoryRateLimitStore } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memory-rate-limit.store.js';
import type {
  RateLimitHit,
  RateLimitPolicyCheck,
  RateLimitStore,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';

/** A policy of a run, before it gets its key. */
type Policy = Omit<RateLimitPolicyCheck, 'key'>;

type Step =
  | { kind: 'count'; subset: number; cost: number; refundable: boolean }
  | { kind: 'refund'; pick: number; amount: number };

interface Scenario {
  policies: Policy[];
  times: number[];
  steps: Step[];
}

/** A request counted with `refundable` that passed: what a refund of it needs. */
interface Counted {
  policies: RateLimitPolicyCheck[];
  subject: RateLimitHit[];
  reference: RateLimitHit[];
}

const seconds = fc.integer({ min: 1, max: 4 });

/** A policy that is a shadow one about a third of the time, `shadow: false` now and then. */
export function maybeShadow<T extends object>(policy: fc.Arbitrary<T>): fc.Arbitrary<T> {
  const flag = fc.constantFrom(undefined, undefined, undefined, false, true, true);
  return fc
    .tuple(policy, flag)
    .map(([shape, shadow]) => (shadow === undefined ? shape : { ...shape, shadow }));
}

/** Policies on the test's clock; GCRA with an interval of 250 ms or more (see `shortestLife`). */
const timedPolicy: fc.Arbitrary<Policy> = fc.oneof(
  fc.record({
    algorithm: fc.constant('sliding-window' as const),
    limit: fc.integer({ min: 1, max: 12 }),
    period: seconds,
  }),
  seconds.chain((period) =>
    fc.record({
      algorithm: fc.constant('gcra' as const),
      limit: fc.integer({ min: 1, max: 4 * period }),
      period: fc.constant(period),
      burst: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
    }),
  ),
);

/**
 * Fixed windows end on the backend's clock (their TTL), which a test cannot set: long ones, which
 * no run outlasts on either clock (60 arrivals at most 4 s apart). Their boundary is for tests on
 * the real clock.
 */
const fixedPolicy: fc.Arbitrary<Policy> = fc.record({
  algorithm: fc.constantFrom('fixed-window' as const, undefined),
  limit: fc.integer({ min: 1, max: 12 }),
  period: fc.constantFrom(600, 3600),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('count' as const),
      subset: fc.nat(),
      cost: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 })),
      refundable: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      amount: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

/** 1–3 policies of mixed algorithms, and steps at arrival times scaled to the longest timed one. */
const scenario: fc.Arbitrary<Scenario> = fc
  .array(maybeShadow(fc.oneof(timedPolicy, fixedPolicy)), { minLength: 1, maxLength: 3 })
  .chain((policies) => {
    const timed = policies.filter((policy) => !isFixed(policy));
    const longestMs = Math.max(1, ...timed.map((policy) => policy.period)) * 1000;
    return arrivals(longestMs).chain((times) =>
      fc
        .array(step, { minLength: times.length, maxLength: times.length })
        .map((steps) => ({ policies, times, steps })),
    );
  });

/**
 * Random requests on random sets of policies, interleaved with refunds of the requests that
 * passed, each through `subject` and a {@link MemoryRateLimitStore} on the test's clock: every
 * hit must agree. `setTime` tells `subject` the time (ms) of its next calls. GCRA and sliding
 * windows must agree to the last bit. Fixed windows run on the backend's clock: their counts must
 * agree, their times only in whether they are set (and be at most a period); the `window` of a
 * hit is compared only when the request was `refundable`, as only then is it promised.
 */
export async function expectPoliciesAsReference(
  subject: RateLimitStore,
  setTime: (now: number) => void,
  numRuns: number,
): Promise<void> {
  const global = fc.readConfigureGlobal();
  // Runs of 30 steps or so rather than 5: refunds meet windows that slid or drained meanwhile.
  fc.configureGlobal({ ...global, baseSize: 'medium' });
  try {
    await assertSameAsReference(subject, setTime, numRuns);
  } finally {
    fc.configureGlobal(global);
  }
}

function assertSameAsReference(
  subject: RateLimitStore,
  setTime: (now: number) => void,
  numRuns: number,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(scenario, async (chosen) => {
      for (let attempt = 1; ; attempt += 1) {
        const started = performance.now();
        try {
          return await run(subject, setTime, chosen);
        } catch (error) {
          // Only a run outlasting, in real time, the shortest life a count gives a key can see
          // the backend expire one that the reference, on the test's clock, still holds: such a
          // run is repeated, on new keys.
          const slow = performance.now() - started >= shortestLife(chosen.policies);
          if (!slow || attempt === 3) throw error;
        }
      }
    }),
    { numRuns },
  );
}

async function run(
  subject: RateLimitStore,
  setTime: (now: number) => void,
  { policies, times, steps }: Scenario,
): Promise<void> {
  const prefix = `ratelimit:{test-${randomUUID()}}`;
  const checks = policies.map((policy, index) => ({ ...policy, key: `${prefix}:${index}` }));
  let time = 0;
  const reference: RateLimitStore = new MemoryRateLimitStore({ clock: { now: () => time } });
  const counted: Counted[] = [];
  for (const [index, now] of times.entries()) {
    time = now;
    setTime(now);
    const next = steps[index];
    if (next.kind === 'count') {
      const chosen = subsetOf(checks, next.subset);
      const { cost, refundable } = next;
      const expected = await countAsReference(reference, chosen, cost, refundable);
      const actual = await subject.countPolicies(chosen, cost, refundable);
      expectSameHits(actual, expected, chosen, refundable);
      if (refundable && passed(chosen, expected))
        counted.push({ policies: chosen, subject: actual, reference: expected });
    } else if (counted.length > 0) {
      const request = counted[next.pick % counted.length];
      const expected = await reference.refundPolicies(
        request.policies,
        request.reference,
        next.amount,
      );
      const actual = await subject.refundPolicies(request.policies, request.subject, next.amount);
      expectSameHits(actual, expected, request.policies, false);
    }
  }
}

/**
 * What `countPolicies` must answer, shadow policies included, made of what `reference` answers
 * with none (so that the memory store's shadow policies are checked too): the enforced policies
 * counted together; if they refuse, every policy as enforced, which refuses as well and counts
 * nothing; else each shadow policy alone, keeping its refusal without `window` (it counted
 * nothing). A lone policy of one unit not refundable takes the one-policy path, shadow or not.
 */
export async function countAsReference(
  reference: RateLimitStore,
  policies: readonly RateLimitPolicyCheck[],
  cost: number,
  refundable: boolean,
): Promise<RateLimitHit[]> {
  const lone = policies.length === 1 && cost === 1 && !refundable;
  if (lone || !policies.some(({ shadow }) => shadow)) {
    return reference.countPolicies(policies, cost, refundable);
  }
  const enforced = policies.filter(({ shadow }) => !shadow);
  // Always refundable: the several-policies path, whatever the number of enforced policies.
  const hits = enforced.length === 0 ? [] : await reference.countPolicies(enforced, cost, true);
  if (hits.some(({ limited }) => limited)) {
    return reference.countPolicies(policies.map(enforcedCopy), cost, true);
  }
  const answer: RateLimitHit[] = [];
  for (const policy of policies) {
    if (!policy.shadow) answer.push(hits.shift()!);
    else {
      const [hit] = await reference.countPolicies([enforcedCopy(policy)], cost, true);
      if (hit.limited) delete hit.window;
      answer.push(hit);
    }
  }
  return answer;
}

/** Whether a request passed: no policy refused it but shadow ones. */
export function passed(policies: readonly Policy[], hits: readonly RateLimitHit[]): boolean {
  return hits.every(({ limited }, index) => !limited || policies[index].shadow === true);
}

function enforcedCopy<T extends Policy>({ shadow: _shadow, ...policy }: T): Omit<T, 'shadow'> {
  return policy;
}

function expectSameHits(
  actual: readonly RateLimitHit[],
  expected: readonly RateLimitHit[],
  policies: readonly RateLimitPolicyCheck[],
  withWindow: boolean,
): void {
  const view = (hit: RateLimitHit, index: number) => comparable(hit, policies[index], withWindow);
  expect(actual.map(view)).toEqual(expected.map(view));
  actual.forEach((hit, index) => {
    if (!isFixed(policies[index])) return;
    expect(hit.resetMs).toBeLessThanOrEqual(policies[index].period * 1000);
    expect(hit.retryAfterMs).toBeLessThanOrEqual(policies[index].period * 1000);
  });
}

/** What of a hit two stores must agree on (see {@link expectPoliciesAsReference}). */
function comparable(hit: RateLimitHit, policy: Policy, withWindow: boolean) {
  const { window, ...rest } = hit;
  if (!isFixed(policy)) return withWindow ? hit : rest;
  const { count, limited, remaining, resetMs, retryAfterMs } = hit;
  const windowSet = withWindow ? window !== undefined : undefined;
  return { count, limited, remaining, resets: resetMs > 0, waits: retryAfterMs > 0, windowSet };
}

/** The policies picked by `subset`, a non-empty subset of them, in order. */
function subsetOf<T>(policies: readonly T[], subset: number): T[] {
  const mask = (subset % (2 ** policies.length - 1)) + 1;
  return policies.filter((_, index) => (mask >> index) & 1);
}

/** The shortest TTL a count can give a key of these policies, in ms. */
function shortestLife(policies: readonly Policy[]): number {
  const lives = policies.map(({ algorithm, limit, period }) =>
    algorithm === 'gcra' ? (period * 1000) / limit : period * 1000,
  );
  return Math.min(...lives);
}

function isFixed({ algorithm }: Policy): boolean {
  return algorithm === undefined || algorithm === 'fixed-window';
}
