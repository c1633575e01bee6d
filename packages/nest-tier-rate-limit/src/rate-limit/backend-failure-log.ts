import { Logger } from '@nestjs/common';

/** Quiet period between two logged backend failures. */
const LOG_INTERVAL_MS = 10_000;

/**
 * Logs a dependency's failures without flooding: the first failure at once, then at most one line
 * per interval with the number of failures in between, and one line when it answers again. Each
 * line carries its fields (`event`, `backend`, `error`…) as structured parameters, one JSON
 * record per event under a JSON logger (`new ConsoleLogger({ json: true })`, pino…).
 */
export class BackendFailureLog {
  private readonly logger = new Logger('RateLimit');
  private failing = false;
  private suppressed = 0;
  private lastLoggedAt = 0;

  /** @param backend what fails, as the log names it (`redis rate-limit store`, `rule database`) */
  constructor(
    private readonly backend: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a failed call. */
  failure(error: unknown, policy: string): void {
    const now = this.now();
    if (this.failing && now - this.lastLoggedAt < LOG_INTERVAL_MS) {
      this.suppressed += 1;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const more = this.suppressed > 0 ? ` (${this.suppressed} more since the last report)` : '';
    // The fields make one JSON record with a JSON logger; a text logger prints them inline.
    this.logger.error(`${this.backend} failed: ${message}; ${policy}${more}`, {
      event: 'rate_limit.backend_failure',
      backend: this.backend,
      error: message,
      action: policy,
      suppressed: this.suppressed,
    });
    this.failing = true;
    this.suppressed = 0;
    this.lastLoggedAt = now;
  }

  /** Records a successful call; logs the recovery once. */
  success(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log(`${this.backend} answers again`, {
      event: 'rate_limit.backend_recovery',
      backend: this.backend,
    });
  }
}
