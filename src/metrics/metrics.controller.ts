import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { RateLimitMetrics, SkipRateLimit } from 'nest-tier-rate-limit';
import { Registry } from 'prom-client';
import { SkipJwtAuth } from '../auth/skip-jwt-auth.decorator.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/**
 * `GET /metrics`: the limiter's Prometheus metrics (the registry `RateLimitModule` exports), as
 * a host app serves them. Outside the API prefix, never rate limited, behind `METRICS_TOKEN`
 * when it is set.
 */
@Controller('metrics')
@SkipJwtAuth()
@SkipRateLimit()
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly metrics: RateLimitMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
