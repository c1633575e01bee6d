import type { Clock } from '../clock.js';
import {
  type CasOutcome,
  type CasStep,
  gcraRefundStep,
  gcraStep,
  type KeyQueue,
  overBudget,
  slidingWindowRefundStep,
  slidingWindowStep,
} from './memcached-cas.js';
import type { MemcachedClient, Versioned } from './memcached-client.js';
import { fixedWindowRefundStep, fixedWindowStep } from './memcached-fixed-window.js';
import type { RateLimitCounted, RateLimitHit, RateLimitPolicyCheck } from './rate-limit-store.js';
import { refuses, uncounted } from './shadow-policies.js';

/** The Memcached calls of the sequence. */
export type CasClient = Pick<MemcachedClient, 'getsMulti' | 'add' | 'cas'>;

/** One policy as the sequence sees it: its Memcached key and its steps. */
export interface CasPolicy {
  key: string;
  /** Never refuses the request: counts only when it would pass (see `RateLimitPolicyCheck`). */
  shadow?: boolean;
  /** Counts the request's units at `now`; with `apply` unset a dry run, which stores nothing. */
  count(now: number, apply: boolean): CasStep;
  /** Gives back `amount` units where `counted` (the hit that counted them) says they are. */
  refund(now: number, counted: RateLimitCounted, amount: number): CasStep;
}

/** The steps of `check`'s algorithm, a request costing `cost` units, on Memcached key `key`. */
export function casPolicy(check: RateLimitPolicyCheck, key: string, cost = 1): CasPolicy {
  const { limit, period, algorithm, burst = limit, shadow } = check;
  const periodMs = period * 1000;
  if (algorithm === 'gcra')
    return {
      key,
      shadow,
      count: (now, apply) => gcraStep(now, limit, periodMs, burst, cost, apply),
      refund: (now, { window }, amount) =>
        gcraRefundStep(now, limit, periodMs, burst, amount, window),
    };
  if (algorithm === 'sliding-window')
    return {
      key,
      shadow,
      count: (now, apply) => slidingWindowStep(now, limit, periodMs, cost, apply),
      refund: (now, { window = Number.NaN }, amount) =>
        slidingWindowRefundStep(now, limit, periodMs, window, amount),
    };
  return {
    key,
    shadow,
    count: (now, apply) => fixedWindowStep(now, limit, periodMs, cost, apply),
    refund: (now, { window }, amount) => fixedWindowRefundStep(now, limit, window, amount),
  };
}

/** Where a key's step ended: its hit, the value the key holds as far as we know, and whether it landed. */
interface Settled {
  hit: RateLimitHit;
  value: unknown;
  landed: boolean;
}

/**
 * Several policies counted all or none on Memcached, which has no transaction and no script:
 * the closest sequence to atomic that compare-and-swap allows.
 *
 * 1. One `gets` of every key (one round trip), each policy decided on the value read, with its
 *    own algorithm. If any refuses, shadow ones aside, the request is refused and nothing is
 *    written: one round trip, and the refusal consumed nothing, exactly.
 * 2. Otherwise every new value is sent at once, `cas` against the token read (`add` where there
 *    was none): two round trips for a pass, one `gets` and one write per key. A shadow policy
 *    that refuses writes nothing and is done: its hit reports the refusal, without `window`.
 * 3. A key whose write lost to another process is read again (with the keys already written, in
 *    the same `gets`) and decided again: a pass is written again and a shadow refusal is done,
 *    as in 2. Any other refusal refuses the request, and a compensating `cas` gives its units
 *    back on every key it wrote (the refund step of each algorithm, retried on conflict), so a
 *    refused request ends up consuming nothing.
 *
 * Guarantee: no limit is ever exceeded. Every write replaces the exact value its decision read,
 * so the units a key holds never pass its limit, and a request passes only once all of its writes
 * landed. Those units can include, for a while, a refused request's: when another process took
 * the last units of one of its keys between its read and its write (the lost write whose
 * re-decision refuses), or when its budget ran out, the keys it did write hold its units until
 * the compensating `cas` lands, two round trips later without further contention. In that span a
 * request from another process, or one counted with `incr` (a lone policy of one unit, say on
 * another route sharing the key), can be refused for units that are about to be given back.
 * Requests of this process that share a key wait for each other (`queue`): they never see it.
 *
 * Time: a request that has not landed every write within `budgetMs` of its call is refused (and
 * given back as in 3) rather than loop, unless only shadow policies' writes are left: it passes
 * without them, their hits refused for the budget. The compensation has a budget of its own, past
 * which its units stay counted until their window ends. A failing call rejects, leaving what was
 * written.
 */
export class CasPolicies {
  constructor(
    private readonly client: CasClient,
    private readonly queue: KeyQueue,
    private readonly clock: Clock,
    private readonly budgetMs: number,
  ) {}

  /** Counts `cost` units on every policy or on none; resolves with a hit per policy. */
  count(policies: readonly CasPolicy[], cost: number): Promise<RateLimitHit[]> {
    const deadline = performance.now() + this.budgetMs;
    const keys = policies.map(({ key }) => key);
    return this.queue.run(keys, () => this.countAll(policies, cost, deadline));
  }

  /**
   * Gives back `amount` units on each policy, where `counted` (the hits that counted them) says,
   * each key atomically by `cas`; resolves with each policy's state after. A key still contended
   * when the budget is spent gives nothing back.
   */
  refund(
    policies: readonly CasPolicy[],
    counted: readonly RateLimitCounted[],
    amount: number,
  ): Promise<RateLimitHit[]> {
    const deadline = performance.now() + this.budgetMs;
    const all = policies.map((_, index) => index);
    const stepAt = (index: number, now: number, units = amount) =>
      policies[index].refund(now, counted[index], units);
    return this.queue.run(
      policies.map(({ key }) => key),
      async () => {
        const settled = await this.settle(policies, all, stepAt, deadline);
        const now = this.clock.now();
        return all.map((index) => {
          const { hit, value, landed } = settled.get(index)!;
          return landed ? hit : stepAt(index, now, 0)(value).hit;
        });
      },
    );
  }

  private async countAll(
    policies: readonly CasPolicy[],
    cost: number,
    deadline: number,
  ): Promise<RateLimitHit[]> {
    const hits: RateLimitHit[] = [];
    const counted: number[] = [];
    let pending = policies.map((_, index) => index);
    let values = await this.read(policies, pending);
    for (;;) {
      const now = this.clock.now();
      const valueOf = (index: number) => values.get(policies[index].key)?.value;
      const outcomes = pending.map((index) => policies[index].count(now, true)(valueOf(index)));
      if (outcomes.some(({ hit }, at) => refuses(policies[pending[at]], hit))) {
        pending.forEach((index, at) => {
          const { hit } = outcomes[at];
          hits[index] = hit.limited ? hit : policies[index].count(now, false)(valueOf(index)).hit;
        });
        // `values` holds the counted keys too, as they were after our writes.
        return this.giveBack(policies, cost, counted, hits, values);
      }
      const stored = await Promise.all(
        pending.map((index, at) => this.write(policies[index].key, outcomes[at], values)),
      );
      const lost = pending.filter((index, at) => {
        const { hit } = outcomes[at];
        // Only a shadow policy refuses here: it stores nothing, so it is settled, uncounted.
        hits[index] = hit.limited ? uncounted(hit) : hit;
        if (stored[at] && !hit.limited) counted.push(index);
        return !stored[at];
      });
      if (lost.length === 0) return hits;
      if (performance.now() >= deadline) return this.outOfTime(policies, cost, counted, hits, lost);
      pending = lost;
      // The counted keys too, so that a refusal can give back without reading them again.
      values = await this.read(policies, [...lost, ...counted]);
    }
  }

  /**
   * A request whose writes to `lost` did not land within its budget: refused for it, and its
   * units given back, unless those are all shadow policies', which it passes without (their hits
   * refused for the budget).
   */
  private outOfTime(
    policies: readonly CasPolicy[],
    cost: number,
    counted: number[],
    hits: RateLimitHit[],
    lost: number[],
  ): Promise<RateLimitHit[]> {
    const shadowsOnly = lost.every((index) => policies[index].shadow === true);
    for (const index of lost) {
      const refused = overBudget(hits[index]);
      hits[index] = shadowsOnly ? uncounted(refused) : refused;
    }
    return shadowsOnly ? Promise.resolve(hits) : this.giveBack(policies, cost, counted, hits);
  }

  /**
   * Gives back the `cost` units a refused request counted on the policies `counted`, and reports
   * each of them as it then stands. `values`: those keys as read after they were written.
   */
  private async giveBack(
    policies: readonly CasPolicy[],
    cost: number,
    counted: number[],
    hits: RateLimitHit[],
    values?: Map<string, Versioned>,
  ): Promise<RateLimitHit[]> {
    if (counted.length === 0) return hits;
    // A budget of its own: the units go back even when the request ran out of time.
    const deadline = performance.now() + this.budgetMs;
    const stepAt = (index: number, now: number) => policies[index].refund(now, hits[index], cost);
    const settled = await this.settle(policies, counted, stepAt, deadline, values);
    const now = this.clock.now();
    for (const [index, { value }] of settled)
      hits[index] = policies[index].count(now, false)(value).hit;
    return hits;
  }

  /**
   * Runs each policy's step (`stepAt`) on its key until it lands, stored or with nothing to
   * store, re-reading the keys whose `cas` lost, or until the budget is spent.
   */
  private async settle(
    policies: readonly CasPolicy[],
    indices: number[],
    stepAt: (index: number, now: number) => CasStep,
    deadline: number,
    read?: Map<string, Versioned>,
  ): Promise<Map<number, Settled>> {
    const settled = new Map<number, Settled>();
    let pending = indices;
    let values = read ?? (await this.read(policies, pending));
    for (;;) {
      const now = this.clock.now();
      const valueOf = (index: number) => values.get(policies[index].key)?.value;
      const outcomes = pending.map((index) => stepAt(index, now)(valueOf(index)));
      const landed = await Promise.all(
        pending.map((index, at) => this.write(policies[index].key, outcomes[at], values)),
      );
      pending = pending.filter((index, at) => {
        const { hit, store } = outcomes[at];
        const value = landed[at] ? (store ?? valueOf(index)) : valueOf(index);
        settled.set(index, { hit, value, landed: landed[at] });
        return !landed[at];
      });
      if (pending.length === 0 || performance.now() >= deadline) return settled;
      values = await this.read(policies, pending);
    }
  }

  /** Stores what `outcome` says, against the value read: `false` when another write came first. */
  private write(
    key: string,
    outcome: CasOutcome,
    values: Map<string, Versioned>,
  ): Promise<boolean> {
    if (outcome.store === undefined) return Promise.resolve(true);
    const current = values.get(key);
    return current === undefined
      ? this.client.add(key, outcome.store, outcome.lifetime)
      : this.client.cas(key, outcome.store, current.cas, outcome.lifetime);
  }

  private read(policies: readonly CasPolicy[], indices: number[]): Promise<Map<string, Versioned>> {
    return this.client.getsMulti([...new Set(indices.map((index) => policies[index].key))]);
  }
}
