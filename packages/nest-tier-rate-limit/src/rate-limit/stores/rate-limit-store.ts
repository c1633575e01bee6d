import type { RateLimitAlgorithm, RateLimitCounting } from '../algorithms/rate-limit-algorithm.js';
import { isPromiseLike, type MaybePromise } from '../maybe-promise.js';

/**
 * The outcome of one counted request, as a store reports it.
 *
 * Callers read only `limited`, `remaining`, `resetMs` and `retryAfterMs`, so a store using another
 * algorithm (sliding window, GCRA) can report its own notion of them without changing callers.
 */
export interface RateLimitHit {
  /** Requests counted in the current window, this one included when it was counted. */
  count: number;
  /** Whether this request is over the limit. */
  limited: boolean;
  /** Requests left in the current window, never below 0. */
  remaining: number;
  /** Milliseconds until the current window resets. */
  resetMs: number;
  /** Milliseconds until a request can succeed: 0 when this one was allowed. */
  retryAfterMs: number;
  /**
   * What a refund needs to find the units again, when the store reports it: the fixed window's end
   * (store clock, ms), the sliding window's sub-window; unset for GCRA, which needs nothing.
   */
  window?: number;
}

/** What a refund reads of each hit it gives units back to: the hit itself, or a decision's state. */
export interface RateLimitCounted {
  readonly window?: number;
}

/** One policy a request is counted against, as a store sees it. */
export interface RateLimitPolicyCheck extends RateLimitCounting {
  /** The full counter key (`ratelimit:{user:42}:api_v1_widgets`). */
  key: string;
  /** Units allowed per period, a positive integer. */
  limit: number;
  /** Period in seconds, a positive integer. */
  period: number;
  /**
   * What the policy is called in headers, metrics and logs (a rule's name, `route`, `default`);
   * stores ignore it.
   */
  name?: string;
  /**
   * A shadow policy counts and reports but never refuses: in {@link RateLimitStore.countPolicies}
   * it does not stop the others, and it counts only the requests it would have let through.
   * @default false
   */
  shadow?: boolean;
}

/**
 * Where counters live. Abstract class rather than interface so that it is both the type and the
 * injection token (`@Inject(RateLimitStore)` or constructor type).
 *
 * Every operation must be atomic across processes sharing the backend: N concurrent
 * `incrementAndCheck` calls against limit L let exactly L through.
 */
export abstract class RateLimitStore {
  /** Short backend name, used in health reports and logs (`memory`, `redis`, `memcached`). */
  abstract readonly name: string;

  /**
   * The algorithms this store counts with: only `fixed-window` unless a store says more (the
   * built-in stores count with all three).
   */
  get algorithms(): readonly RateLimitAlgorithm[] {
    return FIXED_WINDOW_ONLY;
  }

  /**
   * Counts one request against `key` and says whether it is over `limit`.
   * @param key the full counter key (`ratelimit:{caller}:{path}`)
   * @param limit requests allowed per window, a positive integer
   * @param periodSeconds window length in seconds, a positive integer
   * @param counting the algorithm (default `fixed-window`) and, for `gcra`, the burst. A key last
   *   counted with another algorithm starts afresh: a store never misreads another's value.
   */
  abstract incrementAndCheck(
    key: string,
    limit: number,
    periodSeconds: number,
    counting?: RateLimitCounting,
  ): Promise<RateLimitHit>;

  /**
   * {@link incrementAndCheck} for the guard: a store that answers without I/O (memory) returns
   * the hit itself, sparing every request a promise and a turn of the microtask queue.
   */
  countRequest(
    key: string,
    limit: number,
    periodSeconds: number,
    counting?: RateLimitCounting,
  ): MaybePromise<RateLimitHit> {
    return this.incrementAndCheck(key, limit, periodSeconds, counting);
  }

  /**
   * Counts `cost` units on every policy in one atomic step: either all of them pass and each
   * counts the units, or the request is refused and none does (a refusal by a short window never
   * uses a long window's quota). Each hit describes its policy: passing ones as counted, and in a
   * refused request, the refusing ones with their wait and the others as they stand.
   *
   * Shadow policies ({@link RateLimitPolicyCheck.shadow}) never refuse: the request passes when
   * every other policy does (always, when all are shadow), and then each shadow policy that would
   * pass counts the units, while one that would refuse counts nothing and its hit reports that
   * refusal (`limited`, its wait) without `window`, so that a refund gives it nothing. A refused
   * request counts on none of them.
   *
   * `refundable`: the caller may give the units back ({@link refundPolicies}), so each hit must
   * carry its `window`. A store may answer a lone policy of one unit faster without it.
   *
   * A lone policy of one unit that will not be refunded goes through {@link countRequest}, each
   * store's fastest path; anything else through {@link countSeveral}, which the built-in stores
   * implement and a store that only implements `incrementAndCheck` does not: it rejects with
   * {@link RateLimitStoreUnsupportedError} (the service then follows its failure mode).
   */
  countPolicies(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
    refundable: boolean,
  ): MaybePromise<RateLimitHit[]> {
    if (policies.length !== 1 || cost !== 1 || refundable) return this.countSeveral(policies, cost);
    const [{ key, limit, period }] = policies;
    const hit = this.countRequest(key, limit, period, policies[0]);
    return isPromiseLike(hit) ? Promise.resolve(hit).then((one) => [one]) : [hit];
  }

  /**
   * {@link countPolicies} of anything but a lone policy of one unit: every policy decided, then
   * each counted only if all pass, each hit with its `window`. Override it (and
   * {@link refundPolicies}) to count several policies, costs and refunds.
   */
  protected countSeveral(
    _policies: readonly RateLimitPolicyCheck[],
    _cost: number,
  ): MaybePromise<RateLimitHit[]> {
    return Promise.reject(this.unsupported('count several policies, costs or refunds'));
  }

  /** Whether this store counts several policies, costs and refunds (it overrides both). */
  get countsSeveral(): boolean {
    return (
      this.countSeveral !== RateLimitStore.prototype.countSeveral &&
      this.refundPolicies !== RateLimitStore.prototype.refundPolicies
    );
  }

  /**
   * Gives back `amount` units that {@link countPolicies} counted (with `refundable` set) on each
   * policy, `hits` being its answer. Atomic per key; never takes a counter below zero, and gives
   * nothing back to a window other than the one that counted them (the fixed window that has
   * ended, the sub-windows that have slid out, a GCRA cell that has drained). Resolves with each
   * policy's state afterwards.
   */
  refundPolicies(
    _policies: readonly RateLimitPolicyCheck[],
    _hits: readonly RateLimitCounted[],
    _amount: number,
  ): MaybePromise<RateLimitHit[]> {
    return Promise.reject(this.unsupported('give units back'));
  }

  /**
   * Requests counted so far in the live fixed window of `key` (0 when there is none). A key
   * counted with another algorithm: the memory store reports the count of its latest request,
   * Redis and Memcached reject.
   */
  abstract getCount(key: string): Promise<number>;

  /** Removes the live counter of `key`, so that its next request starts a new window. */
  abstract reset(key: string): Promise<void>;

  /**
   * Removes every counter whose key matches a glob `pattern` (`*` any run of characters).
   * Stores that cannot enumerate keys reject with {@link RateLimitStoreUnsupportedError}.
   * @returns how many counters were removed
   */
  abstract resetPattern(pattern: string): Promise<number>;

  /** Resolves when the backend answers; rejects otherwise. */
  abstract ping(): Promise<void>;

  private unsupported(operation: string): RateLimitStoreUnsupportedError {
    return new RateLimitStoreUnsupportedError(
      this.name,
      operation,
      'it implements only incrementAndCheck',
    );
  }
}

const FIXED_WINDOW_ONLY: readonly RateLimitAlgorithm[] = ['fixed-window'];

/** Raised by a store for an operation its backend cannot perform. */
export class RateLimitStoreUnsupportedError extends Error {
  constructor(store: string, operation: string, reason: string) {
    super(`The ${store} rate-limit store cannot ${operation}: ${reason}`);
    this.name = 'RateLimitStoreUnsupportedError';
  }
}

/**
 * Builds the hit of a fixed-window counter from its count and time to reset.
 * Shared by the fixed-window stores so that they agree to the millisecond.
 */
export function fixedWindowHit(count: number, limit: number, resetMs: number): RateLimitHit {
  const limited = count > limit;
  return {
    count,
    limited,
    remaining: limited ? 0 : limit - count,
    resetMs,
    retryAfterMs: limited ? resetMs : 0,
  };
}
