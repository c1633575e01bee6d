/** What the limiter decided for one request; the guard keeps it on the request for the headers. */
export interface RateLimitDecision {
  /** Whether the request may proceed. */
  allowed: boolean;
  /** The limit that applied. */
  limit: number;
  /** Requests left in the current window, never below 0. */
  remaining: number;
  /** Whole seconds until the current window resets, rounded up. */
  resetSeconds: number;
  /** Whole seconds until a request can succeed, rounded up; 0 when allowed. */
  retryAfterSeconds: number;
  /** `true` when the failure mode decided without any counter (`source: 'policy'`). */
  degraded: boolean;
  /**
   * What decided: the shared backend (`store`), this process's memory in `local` failure mode
   * while the backend is down (`local`), or the failure mode alone (`policy`).
   */
  source: 'store' | 'local' | 'policy';
}

/** Milliseconds to whole seconds, rounded up: a client waiting that long is never early. */
export function toWholeSeconds(ms: number): number {
  return ms <= 0 ? 0 : Math.ceil(ms / 1000);
}
