import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DemoProcess, startDemoProcess, stopDemoProcesses } from '../support/demo-process.js';
import { startMemcachedServer } from '../support/memcached-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { startRedisCluster } from '../support/redis-cluster.js';
import { startRedisSentinel } from '../support/redis-sentinel.js';
import { startRedisServer } from '../support/redis-server.js';

const LIMIT = 50;
const env = {
  DEFAULT_RATE_LIMIT_LIMIT: String(LIMIT),
  DEFAULT_RATE_LIMIT_PERIOD: '60',
  // Anonymous callers are told apart by the X-Forwarded-For the test sends over loopback.
  TRUST_PROXY: 'loopback',
  // Exactness is under test, not timeouts: a slow check must not pass (fail-open) or fail.
  RATE_LIMITER_STORE_TIMEOUT_MS: '5000',
  RATE_LIMITER_FAIL_OPEN: 'false',
};

/** What a Redis topology runs of the cases below: the store is Redis' own, only the wiring differs. */
const TOPOLOGY_CASES = ['gcra', 'two policies, the total budget the smaller'];

/** Where counters live: a throwaway server shared by `processes` demos, or each demo's memory. */
interface Setup {
  processes: number;
  /** The counting cases it runs, by name; every one when unset. */
  only?: readonly string[];
  start(): Promise<{ env: Record<string, string>; close(): Promise<void> }>;
}

const setups: [string, Setup][] = [
  [
    'three processes sharing one Redis',
    {
      processes: 3,
      start: async () => {
        const redis = await startRedisServer();
        const shared = { RATE_LIMITER_BACKEND: 'redis', RATE_LIMITER_REDIS_URL: redis.url };
        return { env: shared, close: () => redis.close() };
      },
    },
  ],
  [
    'three processes sharing one Redis Cluster (three masters, a replica each)',
    {
      processes: 3,
      only: TOPOLOGY_CASES,
      start: async () => {
        const cluster = await startRedisCluster();
        const nodes = cluster.startupNodes.map(({ host, port }) => `${host}:${port}`).join(',');
        const shared = { RATE_LIMITER_BACKEND: 'redis', RATE_LIMITER_REDIS_CLUSTER_NODES: nodes };
        return { env: shared, close: () => cluster.close() };
      },
    },
  ],
  [
    'three processes sharing one Redis found through Sentinel',
    {
      processes: 3,
      only: TOPOLOGY_CASES,
      start: async () => {
        const sentinel = await startRedisSentinel();
        const shared = {
          RATE_LIMITER_BACKEND: 'redis',
          RATE_LIMITER_REDIS_SENTINELS: sentinel.sentinels
            .map(({ host, port }) => `${host}:${port}`)
            .join(','),
          RATE_LIMITER_REDIS_SENTINEL_NAME: sentinel.name,
        };
        return { env: shared, close: () => sentinel.close() };
      },
    },
  ],
  [
    'three processes sharing one Memcached',
    {
      processes: 3,
      start: async () => {
        const memcached = await startMemcachedServer();
        const shared = {
          RATE_LIMITER_BACKEND: 'memcached',
          RATE_LIMITER_MEMCACHED_HOST: '127.0.0.1',
          RATE_LIMITER_MEMCACHED_PORT: String(memcached.port),
        };
        return { env: shared, close: () => memcached.close() };
      },
    },
  ],
  [
    'one process on the memory store',
    {
      processes: 1,
      start: () =>
        Promise.resolve({ env: { RATE_LIMITER_BACKEND: 'memory' }, close: async () => {} }),
    },
  ],
];

/** What the limiter said about one request. */
interface Reply {
  caller: string;
  status: number;
  limit: string | undefined;
  remaining: string | undefined;
}

// One PostgreSQL database for every demo, as instances of one deployment share it (and starting
// on it takes a fraction of the time embedded PGlite takes).
let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await stopDemoProcesses();
  await database?.drop();
});

// Every algorithm on every setup: each must let exactly the limit through. GCRA refills one
// request every period / limit, so its period is long enough that none refills mid-burst.
// Two policies (the route's and a total budget) decided at once: exactly the smaller passes.
const algorithms: [string, Record<string, string>, number][] = [
  ['fixed-window', {}, LIMIT],
  ['sliding-window', { DEFAULT_RATE_LIMIT_ALGORITHM: 'sliding-window' }, LIMIT],
  ['gcra', { DEFAULT_RATE_LIMIT_ALGORITHM: 'gcra', DEFAULT_RATE_LIMIT_PERIOD: '3600' }, LIMIT],
  [
    'two policies, the route the smaller',
    { DEFAULT_RATE_LIMIT_TOTAL_LIMIT: '1000', DEFAULT_RATE_LIMIT_TOTAL_PERIOD: '3600' },
    LIMIT,
  ],
  [
    'two policies, the total budget the smaller',
    { DEFAULT_RATE_LIMIT_TOTAL_LIMIT: '30', DEFAULT_RATE_LIMIT_TOTAL_PERIOD: '3600' },
    30,
  ],
];
const cases = setups.flatMap(([name, setup]) =>
  algorithms
    .filter(([algorithm]) => setup.only?.includes(algorithm) ?? true)
    .map(([algorithm, counting, limit]): [string, Setup, Record<string, string>, number] => [
      `${name}, ${algorithm}`,
      setup,
      counting,
      limit,
    ]),
);

describe.each(cases)('%s', (_name, setup, counting, expected) => {
  let demos: DemoProcess[] = [];
  let backend: { close(): Promise<void> } | undefined;
  // Enough sockets per process for every request of a burst to be in flight at once.
  const agent = new Agent({ keepAlive: true, maxSockets: 100 });

  const get = (demo: DemoProcess, caller: string) =>
    new Promise<Reply>((resolve, reject) => {
      const headers = { 'x-forwarded-for': caller };
      const call = request(`${demo.url}/api/v1/widgets/1`, { agent, headers }, (response) => {
        response.resume();
        response.once('end', () =>
          resolve({
            caller,
            status: response.statusCode ?? 0,
            limit: response.headers['x-ratelimit-limit'] as string | undefined,
            remaining: response.headers['x-ratelimit-remaining'] as string | undefined,
          }),
        );
      });
      call.once('error', reject);
      call.end();
    });

  /** `perCaller` requests of each caller, interleaved and spread round-robin over the demos. */
  const burst = async (callers: string[], perCaller: number) => {
    const started = performance.now();
    const total = callers.length * perCaller;
    const replies = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        get(demos[i % demos.length], callers[i % callers.length]),
      ),
    );
    const ms = (performance.now() - started).toFixed(0);
    console.log(`${total} requests over ${demos.length} process(es) in ${ms} ms`);
    return replies;
  };

  /**
   * Exactly `expected` answered 200, each remaining count from expected-1 down to 0 once, 429
   * after; the headers describe the smaller policy.
   */
  const expectExactLimit = (replies: Reply[]) => {
    const byStatus = replies.reduce<Record<number, number>>(
      (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
      {},
    );
    expect(byStatus).toEqual({ 200: expected, 429: replies.length - expected });
    const allowed = replies.filter((reply) => reply.status === 200);
    const remaining = allowed.map((reply) => Number(reply.remaining)).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: expected }, (_, i) => i));
    for (const reply of replies) expect(reply.limit).toBe(String(expected));
  };

  beforeAll(async () => {
    const started = await setup.start();
    backend = started;
    const start = () =>
      startDemoProcess({ ...env, ...counting, ...started.env, DATABASE_URL: database!.url });
    // The first alone, so that the others find its migrations done rather than race them.
    demos = [await start()];
    demos.push(...(await Promise.all(Array.from({ length: setup.processes - 1 }, start))));
    // Widget 1 in every process (each keeps its own), so an allowed GET is a 200.
    for (const demo of demos) {
      const created = await fetch(`${demo.url}/api/v1/widgets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.250' },
        body: JSON.stringify({ name: 'gear' }),
      });
      expect(created.status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    agent.destroy();
    await stopDemoProcesses();
    await backend?.close();
  });

  it(`lets exactly the limit of 300 parallel requests of one caller through`, async () => {
    expectExactLimit(await burst(['203.0.113.7'], 300));
  });

  it(`gives each of 20 callers at once exactly the limit of its 60 requests`, async () => {
    const callers = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    const replies = await burst(callers, 60);
    for (const caller of callers) {
      expectExactLimit(replies.filter((reply) => reply.caller === caller));
    }
  });
});
