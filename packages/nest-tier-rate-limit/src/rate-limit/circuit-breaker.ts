import { type Clock, systemClock } from './clock.js';

/** Options of the circuit breaker in front of the counter backend. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive failed calls that open the circuit; `0` never opens it.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * How long an open circuit skips the backend before one call probes it again, in milliseconds.
   * @default 1000
   */
  cooldownMs?: number;
}

type State = 'closed' | 'open' | 'probing';

/**
 * Stops waiting on a dead backend: after `failureThreshold` consecutive failures, calls are
 * refused at once for `cooldownMs`; then exactly one call probes the backend, and its outcome
 * closes the circuit or opens it for another cool-down. Pure state, no timers.
 */
export class CircuitBreaker {
  private state: State = 'closed';
  private failures = 0;
  private openedAt = 0;
  private readonly threshold: number;
  private readonly cooldownMs: number;

  constructor(
    options: CircuitBreakerOptions = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.threshold = options.failureThreshold ?? 5;
    this.cooldownMs = options.cooldownMs ?? 1000;
  }

  /**
   * Whether this call may go to the backend. In an open circuit past its cool-down, the first
   * caller gets the probe and must report its outcome; everyone else is refused until then.
   */
  tryAcquire(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'probing') return false;
    if (this.clock.now() - this.openedAt < this.cooldownMs) return false;
    this.state = 'probing';
    return true;
  }

  /** Reports a call that answered. */
  success(): void {
    this.failures = 0;
    this.state = 'closed';
  }

  /** Reports a call that failed or timed out. */
  failure(): void {
    this.failures += 1;
    if (this.state === 'probing' || (this.threshold > 0 && this.failures >= this.threshold)) {
      this.state = 'open';
      this.openedAt = this.clock.now();
    }
  }

  /** Whether calls are being refused (open, or waiting on a probe). */
  get isOpen(): boolean {
    return this.state !== 'closed';
  }
}
