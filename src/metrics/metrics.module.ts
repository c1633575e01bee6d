import { type DynamicModule, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { METRICS_TOKEN, MetricsTokenGuard } from './metrics-token.guard.js';

/** The demo's `GET /metrics`. */
@Module({})
export class MetricsModule {
  /** @param token the bearer token scrapes must bring (`METRICS_TOKEN`); unset: none */
  static forRoot(token: string | undefined): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_TOKEN, useValue: token }, MetricsTokenGuard],
    };
  }
}
