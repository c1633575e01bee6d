import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';
import type { RateLimitHit, RateLimitPolicyCheck } from './stores/rate-limit-store.js';

/** Options of the local deny cache (`RateLimitModuleOptions.localDenyCache`). */
export interface LocalDenyCacheOptions {
  /**
   * Most keys remembered at once; a new refusal beyond it forgets the oldest one.
   * @default 10000
   */
  maxKeys?: number;
}

/** What the store answered when it last refused a key, and what it was asked; times are `performance.now()` ms. */
interface Refusal {
  /** Until when the store refuses `cost` units or more on this key. */
  until: number;
  /** When the window the store reported resets. */
  resetAt: number;
  count: number;
  remaining: number;
  cost: number;
  limit: number;
  period: number;
  algorithm: RateLimitAlgorithm;
  burst: number | undefined;
}

const DEFAULT_MAX_KEYS = 10_000;

/**
 * Keys a shared store has refused, remembered in this process until the time the store said a
 * request could pass again, so that a flood of refused requests costs the store nothing.
 *
 * It only ever refuses what the store would refuse: an entry answers only a policy of the same
 * limit, period, algorithm and burst (a changed rule misses it, so a raised limit applies on the
 * next request), a cost at least the one refused (a smaller one may fit), and a time before the
 * one the store reported, counted from when the call was sent (so never later than the store's
 * own). A refused request decides nothing in the store (the policies script counts nothing for
 * it; the fixed-window fast path adds it to a counter already over its limit, seen only by
 * `getCount`), so skipping the store changes no later decision. A refund or reset here forgets
 * the key, and no refusal from a call sent before it is remembered.
 * Bounded by `maxKeys` (the oldest entry goes first); expired entries go when met; no timer.
 */
export class LocalDenyCache {
  private readonly refusals = new Map<string, Refusal>();
  private readonly maxKeys: number;
  /** When a key was last forgotten: a refusal from a call sent before then may be stale. */
  private forgottenAt = Number.NEGATIVE_INFINITY;

  constructor(options: LocalDenyCacheOptions = {}) {
    const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
      throw new RangeError(`localDenyCache.maxKeys must be a positive integer, got ${maxKeys}`);
    this.maxKeys = maxKeys;
  }

  /** Keys remembered now, expired ones included until they are met. */
  get size(): number {
    return this.refusals.size;
  }

  /**
   * The hit the store would answer `cost` units on `policy` at `now`, if it is known to refuse
   * them; else `undefined`. A shadow policy is never refused here.
   */
  refusal(policy: RateLimitPolicyCheck, cost: number, now: number): RateLimitHit | undefined {
    const refusal = this.refusals.get(policy.key);
    if (refusal === undefined || policy.shadow === true) return undefined;
    if (now >= refusal.until) {
      this.refusals.delete(policy.key);
      return undefined;
    }
    if (cost < refusal.cost || !sameShape(refusal, policy)) return undefined;
    return {
      count: refusal.count,
      limited: true,
      remaining: refusal.remaining,
      resetMs: Math.max(0, refusal.resetAt - now),
      retryAfterMs: refusal.until - now,
    };
  }

  /**
   * Remembers a refusal of `cost` units on `policy` by the store, from a call sent at `sentAt`;
   * ignores anything else (an allowed or shadow hit, one with no wait).
   */
  remember(policy: RateLimitPolicyCheck, cost: number, hit: RateLimitHit, sentAt: number): void {
    if (!hit.limited || policy.shadow === true || !(hit.retryAfterMs > 0)) return;
    // Sent before a refund or reset here: the store may have answered before it.
    if (sentAt <= this.forgottenAt) return;
    const { key } = policy;
    // Re-inserted, so that the Map's order stays oldest first.
    if (!this.refusals.delete(key) && this.refusals.size >= this.maxKeys)
      this.refusals.delete(this.refusals.keys().next().value!);
    this.refusals.set(key, {
      until: sentAt + hit.retryAfterMs,
      resetAt: sentAt + hit.resetMs,
      count: hit.count,
      remaining: hit.remaining,
      cost,
      limit: policy.limit,
      period: policy.period,
      algorithm: policy.algorithm ?? 'fixed-window',
      burst: policy.burst,
    });
  }

  /**
   * Forgets `key` (its counter was reset or given units back at `now`), and will not remember a
   * refusal of any key from a call sent until then, which the store may have answered before.
   */
  forget(key: string, now: number): void {
    this.refusals.delete(key);
    this.forgottenAt = Math.max(this.forgottenAt, now);
  }

  /** Forgets every key, as {@link forget} does one. */
  clear(now: number): void {
    this.refusals.clear();
    this.forgottenAt = Math.max(this.forgottenAt, now);
  }
}

function sameShape(refusal: Refusal, policy: RateLimitPolicyCheck): boolean {
  return (
    refusal.limit === policy.limit &&
    refusal.period === policy.period &&
    refusal.algorithm === (policy.algorithm ?? 'fixed-window') &&
    refusal.burst === policy.burst
  );
}
