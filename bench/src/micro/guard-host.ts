import type { CanActivate, ExecutionContext, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { benchAppModule } from '../app-module.js';
import { QueryLog } from '../query-log.js';
import { callerHeaders, type Scenario } from '../scenarios.js';
import type { VariantFactory } from '../variants/variant.js';
import { type ContextSource, type ExpressPrototypes, requestContext } from './contexts.js';
import { decideInFlight } from './decide.js';
import { locateGuardedRoute } from './route-target.js';

/** The servers a variant's wiring connects to. */
export interface ServerPorts {
  readonly redisPort: number;
  readonly memcachedPort: number;
}

/** A bench app built in this process, whose guard is called directly. */
export interface GuardHost {
  readonly name: string;
  readonly app: INestApplication;
  /** The instance the router would call. */
  readonly guard: CanActivate;
  /** Whether `app.get(GuardClass, { strict: false })` returned that same instance. */
  readonly sameAsAppGet: boolean;
  /**
   * Fresh contexts for the scenario's next `count` requests (callers in turn, as the e2e load);
   * `sharedShape`: see {@link requestContext}.
   */
  next(count: number, sharedShape?: boolean): ExecutionContext[];
  close(): Promise<void>;
}

/**
 * Builds the bench app of a variant as the e2e bench does (Express, every module and provider of
 * the variant), initialised but not listening, and locates its guarded route and guard.
 * `sharedShape`: the default of its `next`, see {@link requestContext}.
 */
export async function openGuardHost(
  name: string,
  factory: VariantFactory,
  scenario: Scenario,
  ports: ServerPorts,
  sharedShape = false,
): Promise<GuardHost> {
  const queryLog = new QueryLog();
  const wiring = factory({ scenario, queryLog, ...ports });
  const app = await NestFactory.create(benchAppModule(wiring, queryLog), new ExpressAdapter(), {
    logger: false,
  });
  await app.init();
  const route = locateGuardedRoute(app);
  const express = app.getHttpAdapter().getInstance() as ExpressPrototypes;
  const source: ContextSource = { route, express };
  let sent = 0;
  return {
    name,
    app,
    guard: route.guard,
    sameAsAppGet: route.sameAsAppGet,
    next: (count, shared = sharedShape) =>
      Array.from({ length: count }, () =>
        requestContext(source, callerHeaders(scenario, sent++), shared),
      ),
    close: () => app.close(),
  };
}

/** Requests built per chunk by {@link decideMany}, so long runs keep few of them alive at once. */
const CHUNK = 1000;

/**
 * Runs the host's next `count` decisions in chunks, `inFlight` at a time; returns the refusals.
 * `sharedShape`: requests built faster, for runs that count the backend's work or set up state.
 */
export async function decideMany(
  host: GuardHost,
  count: number,
  inFlight = 1,
  sharedShape?: boolean,
): Promise<number> {
  let refused = 0;
  for (let done = 0; done < count; done += CHUNK) {
    const contexts = host.next(Math.min(CHUNK, count - done), sharedShape);
    refused += await decideInFlight(host.guard, contexts, inFlight);
  }
  return refused;
}
