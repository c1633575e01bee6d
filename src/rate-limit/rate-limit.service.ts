import { Inject, Injectable } from '@nestjs/common';
import { BackendFailureLog } from './backend-failure-log.js';
import { type RateLimitDecision, toWholeSeconds } from './rate-limit-decision.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';
import { RateLimitStore } from './stores/rate-limit-store.js';

/** One check through {@link RateLimitService.incrementAndCheck}. */
export interface RateLimitCheck {
  /** Counter key; callers choose their own namespace (`ratelimit:…` is the guard's). */
  key: string;
  /** Requests allowed per period, a positive integer. */
  limit: number;
  /** Period in seconds, a positive integer. */
  period: number;
  /**
   * Overrides the module's `failOpen` for this call only.
   * @default the module's `failOpen`
   */
  failOpen?: boolean;
}

/** Health of the counter backend, as reported by {@link RateLimitService.health}. */
export interface RateLimitHealth {
  backend: string;
  status: 'up' | 'down';
  error?: string;
}

/**
 * The limiter's programmatic API, for limits outside HTTP (jobs, sockets, login attempts).
 * It is also the one place where a backend failure becomes a decision (fail open or closed).
 */
@Injectable()
export class RateLimitService {
  private readonly failures: BackendFailureLog;

  constructor(
    private readonly store: RateLimitStore,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions,
  ) {
    this.failures = new BackendFailureLog(`${store.name} rate-limit store`);
  }

  /**
   * Counts one request on `key` and decides whether it may proceed. Never rejects: a backend
   * error or timeout yields a `degraded` decision following `failOpen`.
   */
  async incrementAndCheck({
    key,
    limit,
    period,
    failOpen,
  }: RateLimitCheck): Promise<RateLimitDecision> {
    try {
      const hit = await this.store.incrementAndCheck(key, limit, period);
      this.failures.success();
      return {
        allowed: !hit.limited,
        limit,
        remaining: hit.remaining,
        resetSeconds: toWholeSeconds(hit.resetMs),
        // A refused caller is never told to retry at once, even at the very end of a window.
        retryAfterSeconds: hit.limited ? Math.max(1, toWholeSeconds(hit.retryAfterMs)) : 0,
        degraded: false,
      };
    } catch (error) {
      const open = failOpen ?? this.options.failOpen;
      this.failures.failure(error, open ? 'letting requests through' : 'refusing requests');
      return {
        allowed: open,
        limit,
        remaining: 0,
        resetSeconds: 0,
        retryAfterSeconds: open ? 0 : 1,
        degraded: true,
      };
    }
  }

  /** Requests counted in the live window of `key`. Rejects when the backend fails. */
  getCount(key: string): Promise<number> {
    return this.store.getCount(key);
  }

  /** Clears the live counter of `key`. Rejects when the backend fails. */
  reset(key: string): Promise<void> {
    return this.store.reset(key);
  }

  /** Clears every counter matching a glob; rejects on stores that cannot enumerate keys. */
  resetPattern(pattern: string): Promise<number> {
    return this.store.resetPattern(pattern);
  }

  /** Whether the backend answers now. */
  async health(): Promise<RateLimitHealth> {
    try {
      await this.store.ping();
      return { backend: this.store.name, status: 'up' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { backend: this.store.name, status: 'down', error: message };
    }
  }
}
