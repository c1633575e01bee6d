import { Controller, Get } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RateLimitService, type RateLimitHealth } from '../rate-limit/index.js';

/** A dependency's state in the health report. */
export interface DependencyHealth {
  status: 'up' | 'down';
  error?: string;
}

/** Body of `GET /health`. */
export interface HealthReport {
  /** `degraded` when a dependency does not answer; the API still serves (fail-open/closed applies). */
  status: 'ok' | 'degraded';
  rateLimitStore: RateLimitHealth;
  database: DependencyHealth;
}

/** Liveness and dependency status; never rate limited. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly limiter: RateLimitService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  async check(): Promise<HealthReport> {
    const [rateLimitStore, database] = await Promise.all([this.limiter.health(), this.database()]);
    const ok = rateLimitStore.status === 'up' && database.status === 'up';
    return { status: ok ? 'ok' : 'degraded', rateLimitStore, database };
  }

  private async database(): Promise<DependencyHealth> {
    try {
      await this.dataSource.query('SELECT 1');
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
  }
}
