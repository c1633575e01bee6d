import type { RateLimitPolicyCheck } from './stores/rate-limit-store.js';

/** Where one policy stands after a decision. */
export interface RateLimitPolicyState {
  /** The policy as checked: its key, limit, period and algorithm. */
  policy: RateLimitPolicyCheck;
  /** Whether this policy let the request through. */
  allowed: boolean;
  /** The policy's limit. */
  limit: number;
  /** Units left, never below 0. */
  remaining: number;
  /** Whole seconds until the policy's window resets (or, GCRA, its burst is full), rounded up. */
  resetSeconds: number;
  /** Whole seconds until a request can pass this policy, rounded up; 0 when it let it through. */
  retryAfterSeconds: number;
  /** The store's mark for giving units back (see `RateLimitStore.refundPolicies`). */
  window?: number;
}

/**
 * What the limiter decided for one request; the guard keeps it on the request for the headers.
 * Its own fields describe one policy: the one with the fewest requests left (among those that
 * refused, when the request was refused), which the legacy headers report; `retryAfterSeconds`
 * is the longest wait among the refusing policies.
 */
export interface RateLimitDecision extends RateLimitPolicyState {
  /** `true` when the failure mode decided without any counter (`source: 'policy'`). */
  degraded: boolean;
  /**
   * What decided: the shared backend (`store`), this process's memory in `local` failure mode
   * while the backend is down (`local`), or the failure mode alone (`policy`).
   */
  source: 'store' | 'local' | 'policy';
  /**
   * Units counted on every policy: the request's cost when it passed, else 0; less what
   * `RateLimitService.refund` has given back since.
   */
  cost: number;
  /** Every policy that applied, in the order given (none when the failure mode decided). */
  policies: readonly RateLimitPolicyState[];
}

/** Milliseconds to whole seconds, rounded up: a client waiting that long is never early. */
export function toWholeSeconds(ms: number): number {
  return ms <= 0 ? 0 : Math.ceil(ms / 1000);
}
