import { type RunningApp, startApp } from './app-process.js';
import { databaseQueries, memcachedOperations, watchRedis } from './counters.js';
import { type LoadResult, runLoad } from './load.js';
import { sleep } from './net.js';
import { callerHeaders, GUARDED_PATH, SCENARIOS, type ScenarioName } from './scenarios.js';
import type { BenchServers } from './servers.js';
import { total } from './stats.js';
import { variantInfo, type VariantName } from './variants/catalog.js';

/** What a counter run counted: backend operations (or database queries) per guarded request. */
export interface CounterResult {
  variant: VariantName;
  scenario: ScenarioName;
  /** What was counted: Redis client commands, Memcached operations or database queries. */
  counted: 'redis' | 'memcached' | 'database';
  /** Guarded requests answered (2xx and 429). */
  requests: number;
  seconds: number;
  /** Counts by command, operation or query. */
  counts: Record<string, number>;
  perRequest: number;
  /** `tier-rules`: the limit header seen by the first caller (tier 1), proving its rule applied. */
  tierOneLimit?: string;
}

/** Requests per counter run: two passes over `many-keys`' callers, so half open a window. */
export function counterRequests(scenario: ScenarioName): number {
  return scenario === 'many-keys' ? 2 * SCENARIOS['many-keys'].callers : 5_000;
}

/**
 * Runs `variant` on `scenario` for {@link counterRequests} requests from flushed servers and
 * counts what its backend did: Redis commands from clients (`MONITOR`, script-internal commands
 * excluded), Memcached operations (`stats` deltas) or database queries (the app's TypeORM logger).
 */
export async function measureCounters(
  variant: VariantName,
  scenario: ScenarioName,
  servers: BenchServers,
): Promise<CounterResult> {
  const backend = variantInfo(variant).backend;
  const counted = variant === 'ours-tier-rules' ? 'database' : backend;
  if (counted !== 'redis' && counted !== 'memcached' && counted !== 'database') {
    throw new Error(`${variant} has no backend to count`);
  }
  await Promise.all([servers.redis.flush(), servers.memcached.flush()]);
  const app = await startApp({
    variant,
    scenario,
    redisPort: servers.redis.port,
    memcachedPort: servers.memcached.port,
  });
  try {
    // Connections open, scripts loaded and the first caller's window open before anything is
    // counted: allow and deny then measure the steady state, many-keys still opens 9,999 windows.
    const tierOneLimit = await warmUp(app, scenario);
    const started = Date.now();
    const loads: LoadResult[] = [];
    const work = async () => {
      loads.push(
        await runLoad(app.port, SCENARIOS[scenario], { requests: counterRequests(scenario) }),
      );
    };
    const counts = await count(counted, work, app, servers);
    const requests = loads[0]?.requests ?? 0;
    const seconds = (Date.now() - started) / 1000;
    const result: CounterResult = {
      variant,
      scenario,
      counted,
      requests,
      seconds,
      counts,
      perRequest: total(counts) / requests,
    };
    return counted === 'database' ? { ...result, tierOneLimit } : result;
  } finally {
    await app.stop();
  }
}

async function count(
  counted: CounterResult['counted'],
  work: () => Promise<void>,
  app: RunningApp,
  servers: BenchServers,
): Promise<Record<string, number>> {
  if (counted === 'memcached') return memcachedOperations(servers.memcached, work);
  if (counted === 'database') return databaseQueries(app, work);
  const monitor = await watchRedis(servers.redis.port);
  await work();
  // MONITOR lines trail the replies slightly.
  await sleep(200);
  return monitor.stop();
}

async function warmUp(app: RunningApp, scenario: ScenarioName): Promise<string | undefined> {
  const headers = callerHeaders(SCENARIOS[scenario], 0);
  const response = await fetch(`http://127.0.0.1:${app.port}${GUARDED_PATH}`, { headers });
  await response.arrayBuffer();
  await sleep(200);
  return response.headers.get('x-ratelimit-limit') ?? undefined;
}
