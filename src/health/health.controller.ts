import { Controller, Get } from '@nestjs/common';
import { RateLimitService, type RateLimitHealth } from '../rate-limit/index.js';

/** Body of `GET /health`. */
export interface HealthReport {
  /** `degraded` when a dependency does not answer; the API still serves (fail-open/closed applies). */
  status: 'ok' | 'degraded';
  rateLimitStore: RateLimitHealth;
}

/** Liveness and dependency status; never rate limited. */
@Controller('health')
export class HealthController {
  constructor(private readonly limiter: RateLimitService) {}

  @Get()
  async check(): Promise<HealthReport> {
    const rateLimitStore = await this.limiter.health();
    return { status: rateLimitStore.status === 'up' ? 'ok' : 'degraded', rateLimitStore };
  }
}
