import { Logger } from '@nestjs/common';

/** A dependency's state as a health check saw it. */
export interface ObservedState {
  status: 'up' | 'down';
  /** Why it is down, for operators: may name hosts and ports. */
  error?: string;
}

/**
 * Logs what health checks see of each dependency, once per change of state: the error when it
 * goes down, a line when it answers again. Polling a dependency that stays down logs nothing more.
 */
export class DependencyStateLog {
  private readonly logger = new Logger('Health');
  private readonly down = new Set<string>();

  /** @param dependency as the log names it (`redis rate-limit store`, `database`) */
  record(dependency: string, { status, error }: ObservedState): void {
    const wasDown = this.down.has(dependency);
    if ((status === 'down') === wasDown) return;
    if (wasDown) {
      this.down.delete(dependency);
      this.logger.log(`${dependency} answers health checks again`);
    } else {
      this.down.add(dependency);
      this.logger.error(`${dependency} is down (health check): ${error ?? 'no detail'}`);
    }
  }
}
