import type { CanActivate, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { Scenario } from '../scenarios.js';
import type { QueryLog } from '../query-log.js';

/** What a variant's wiring may use: the scenario's limit and the throwaway servers' ports. */
export interface VariantContext {
  readonly scenario: Scenario;
  readonly redisPort: number;
  readonly memcachedPort: number;
  /** Counts the database queries (only the tier-rules variant has a database). */
  readonly queryLog: QueryLog;
}

/** The modules and providers a variant adds to the app, and the guard on the one route. */
export interface VariantWiring {
  readonly imports?: ModuleMetadata['imports'];
  readonly providers?: Provider[];
  /** `undefined`: the route is unprotected. */
  readonly guard?: Type<CanActivate>;
}

/** Builds a variant's wiring for one app process. */
export type VariantFactory = (context: VariantContext) => VariantWiring;
