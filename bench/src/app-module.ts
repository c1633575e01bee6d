import { Controller, Get, Module, Param, type DynamicModule, UseGuards } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import type { QueryLog } from './query-log.js';
import type { VariantWiring } from './variants/variant.js';

/** What the runner reads from `GET /bench/stats`. */
export interface AppStats {
  /** Resident set size of the app process, bytes. */
  rss: number;
  /** Database queries since start-up, by their first words. */
  queries: Record<string, number>;
}

/** The one route, `GET /api/v1/widgets/:id`, behind the variant's guard (if any). */
function widgetsController(guard: VariantWiring['guard']): Type {
  @Controller('api/v1/widgets')
  class WidgetsController {
    @Get(':id')
    get(@Param('id') id: string): { id: string } {
      return { id };
    }
  }
  if (guard !== undefined) UseGuards(guard)(WidgetsController);
  return WidgetsController;
}

/** The unguarded route the runner polls and reads the counters from. */
function statsController(queryLog: QueryLog): Type {
  @Controller('bench')
  class StatsController {
    @Get('stats')
    stats(): AppStats {
      return { rss: process.memoryUsage.rss(), queries: queryLog.snapshot() };
    }
  }
  return StatsController;
}

/** The bench app: the variant's modules, its guard on the widgets route, and the stats route. */
export function benchAppModule(wiring: VariantWiring, queryLog: QueryLog): DynamicModule {
  @Module({})
  class BenchAppModule {}
  return {
    module: BenchAppModule,
    imports: wiring.imports ?? [],
    providers: wiring.providers ?? [],
    controllers: [widgetsController(wiring.guard), statsController(queryLog)],
  };
}
