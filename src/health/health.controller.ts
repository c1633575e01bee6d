import { Controller, Get, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthRequest } from '../auth/authenticated-user.js';
import { RateLimitService, type RateLimitHealth } from 'nest-tier-rate-limit';
import { DependencyStateLog } from './dependency-state-log.js';

/** A dependency's state in the health report. */
export interface DependencyHealth {
  status: 'up' | 'down';
  /** Why it is down; shown to superusers only (it may name hosts and ports). */
  error?: string;
}

/** Body of `GET /health`. */
export interface HealthReport {
  /** `degraded` when a dependency does not answer; the API still serves (fail-open/closed applies). */
  status: 'ok' | 'degraded';
  rateLimitStore: RateLimitHealth;
  database: DependencyHealth;
}

/**
 * Liveness and dependency status; never rate limited. Anyone sees the statuses and the backend's
 * name; only a superuser sees why a dependency is down (also logged, once per change of state).
 */
@Controller('health')
export class HealthController {
  private readonly log = new DependencyStateLog();

  constructor(
    private readonly limiter: RateLimitService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  async check(@Req() request: AuthRequest): Promise<HealthReport> {
    const [rateLimitStore, database] = await Promise.all([this.limiter.health(), this.database()]);
    this.log.record(`${rateLimitStore.backend} rate-limit store`, rateLimitStore);
    this.log.record('database', database);
    const ok = rateLimitStore.status === 'up' && database.status === 'up';
    const report: HealthReport = { status: ok ? 'ok' : 'degraded', rateLimitStore, database };
    return request.user?.isSuperuser === true ? report : statusesOnly(report);
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

/** The report without error texts: fields picked one by one, so a new detail is never leaked. */
function statusesOnly({ status, rateLimitStore, database }: HealthReport): HealthReport {
  return {
    status,
    rateLimitStore: { backend: rateLimitStore.backend, status: rateLimitStore.status },
    database: { status: database.status },
  };
}
