import { Inject, Injectable } from '@nestjs/common';
import { BackendFailureLog } from './backend-failure-log.js';
import { type RateLimitDecision, toWholeSeconds } from './rate-limit-decision.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { isPromiseLike, type MaybePromise } from './maybe-promise.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { RateLimitFailureMode, ResolvedRateLimitOptions } from './rate-limit-options.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';
import { type RateLimitHit, RateLimitStore } from './stores/rate-limit-store.js';
import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';

/** One check through {@link RateLimitService.incrementAndCheck}. */
export interface RateLimitCheck {
  /** Counter key; callers choose their own namespace (`ratelimit:…` is the guard's). */
  key: string;
  /** Requests allowed per period, a positive integer. */
  limit: number;
  /** Period in seconds, a positive integer. */
  period: number;
  /** How requests are counted on this key. @default 'fixed-window' */
  algorithm?: RateLimitAlgorithm;
  /** `gcra` only: requests that may pass at once after a pause. @default the limit */
  burst?: number;
  /**
   * Overrides the module's failure mode for this call only.
   * @default the module's `failureMode`
   */
  failureMode?: RateLimitFailureMode;
  /**
   * Overrides the module's failure mode for this call only: `true` is `'open'`, `false`
   * `'closed'`. `failureMode` wins when both are given.
   */
  failOpen?: boolean;
}

/** Health of the counter backend, as reported by {@link RateLimitService.health}. */
export interface RateLimitHealth {
  backend: string;
  status: 'up' | 'down';
  error?: string;
}

const POLICY_WORDS: Readonly<Record<RateLimitFailureMode, string>> = {
  open: 'letting requests through',
  closed: 'refusing requests',
  local: 'limiting in this process only',
};

/**
 * The limiter's programmatic API, for limits outside HTTP (jobs, sockets, login attempts).
 * It is also the one place where a backend failure becomes a decision: a circuit breaker stops
 * calling a backend that keeps failing, and the failure mode decides meanwhile.
 */
@Injectable()
export class RateLimitService {
  private readonly failures: BackendFailureLog;
  private readonly circuit: CircuitBreaker;
  /** What the store counts with, beside the fixed window. */
  private readonly algorithms: ReadonlySet<RateLimitAlgorithm>;
  /** Counts in `local` mode while the shared backend is down; created on first need. */
  private insurance: MemoryRateLimitStore | undefined;

  constructor(
    private readonly store: RateLimitStore,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions,
  ) {
    this.failures = new BackendFailureLog(`${store.name} rate-limit store`);
    this.algorithms = new Set(store.algorithms);
    this.circuit = new CircuitBreaker(options.circuitBreaker, options.clock);
  }

  /**
   * Counts one request on `key` and decides whether it may proceed. Never rejects: when the
   * backend fails, times out or its circuit is open, the failure mode decides.
   */
  async incrementAndCheck(check: RateLimitCheck): Promise<RateLimitDecision> {
    return this.check(check);
  }

  /**
   * {@link incrementAndCheck} for the guard: the decision itself when the store answers without
   * I/O (memory, or the `local` failure mode), else a promise of it. Never throws or rejects.
   */
  check(check: RateLimitCheck): MaybePromise<RateLimitDecision> {
    const { algorithm } = check;
    if (algorithm !== undefined && algorithm !== 'fixed-window' && !this.algorithms.has(algorithm))
      return this.unsupported(check, algorithm);
    if (!this.circuit.tryAcquire()) return this.decideWithoutStore(check);
    let hit: MaybePromise<RateLimitHit>;
    try {
      // The check carries its algorithm and burst: no object built for them.
      hit = this.store.countRequest(check.key, check.limit, check.period, check);
    } catch (error) {
      return this.failed(check, error);
    }
    if (!isPromiseLike(hit)) return this.counted(hit, check.limit);
    return Promise.resolve(hit).then(
      (answer) => this.counted(answer, check.limit),
      (error: unknown) => this.failed(check, error),
    );
  }

  /** Whether the circuit is open: checks skip the backend and follow the failure mode. */
  get circuitOpen(): boolean {
    return this.circuit.isOpen;
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

  private failureModeOf(check: RateLimitCheck): RateLimitFailureMode {
    if (check.failureMode !== undefined) return check.failureMode;
    if (check.failOpen !== undefined) return check.failOpen ? 'open' : 'closed';
    return this.options.failureMode;
  }

  private counted(hit: RateLimitHit, limit: number): RateLimitDecision {
    this.circuit.success();
    this.failures.success();
    return counted(hit, limit, 'store');
  }

  /** A store that cannot count this way: the failure mode decides, the circuit stays as it is. */
  private unsupported(check: RateLimitCheck, algorithm: RateLimitAlgorithm): RateLimitDecision {
    const error = new Error(`the ${this.store.name} store cannot count with ${algorithm}`);
    this.failures.failure(error, POLICY_WORDS[this.failureModeOf(check)]);
    return this.decideWithoutStore(check);
  }

  private failed(check: RateLimitCheck, error: unknown): RateLimitDecision {
    this.circuit.failure();
    this.failures.failure(error, POLICY_WORDS[this.failureModeOf(check)]);
    return this.decideWithoutStore(check);
  }

  private decideWithoutStore(check: RateLimitCheck): RateLimitDecision {
    const mode = this.failureModeOf(check);
    if (mode === 'local') {
      this.insurance ??= new MemoryRateLimitStore({
        maxKeys: this.options.memory?.maxKeys,
        clock: this.options.clock,
      });
      return counted(
        this.insurance.countNow(check.key, check.limit, check.period, check),
        check.limit,
        'local',
      );
    }
    const open = mode === 'open';
    return {
      allowed: open,
      limit: check.limit,
      remaining: 0,
      resetSeconds: 0,
      retryAfterSeconds: open ? 0 : 1,
      degraded: true,
      source: 'policy',
    };
  }
}

function counted(hit: RateLimitHit, limit: number, source: 'store' | 'local'): RateLimitDecision {
  return {
    allowed: !hit.limited,
    limit,
    remaining: hit.remaining,
    resetSeconds: toWholeSeconds(hit.resetMs),
    // A refused caller is never told to retry at once, even at the very end of a window.
    retryAfterSeconds: hit.limited ? Math.max(1, toWholeSeconds(hit.retryAfterMs)) : 0,
    degraded: false,
    source,
  };
}
