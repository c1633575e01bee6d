import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type DemoProcess, startDemoProcess, stopDemoProcesses } from '../support/demo-process.js';
import { holdRequest, refusedWithin } from '../support/held-request.js';
import { startMemcachedServer } from '../support/memcached-server.js';
import {
  createTestDatabase,
  PG_ADMIN_URL,
  type TestDatabase,
} from '../support/postgres-database.js';
import { startRedisServer } from '../support/redis-server.js';
import { exchange } from '../support/throwaway-server.js';

/** A throwaway counter backend, and what its server tells about the demo's connections. */
interface Backend {
  env: Record<string, string>;
  /** The demo's connections open now. */
  connections(): Promise<number>;
  /**
   * A count that a clean close of `open` connections moves by exactly `cleanDelta(open)`: QUITs
   * received on Redis, one per connection; connections accepted on Memcached, none (a client
   * reconnecting after it was closed shows there).
   */
  tally(): Promise<number>;
  cleanDelta(open: number): number;
  close(): Promise<void>;
}

const redisBackend = async (): Promise<Backend> => {
  const redis = await startRedisServer();
  const ask = (command: string) => exchange(redis.port, command, '\r\n');
  return {
    env: { RATE_LIMITER_BACKEND: 'redis', RATE_LIMITER_REDIS_URL: redis.url },
    // One line per connection, less the one asking.
    connections: async () =>
      (await ask('CLIENT LIST')).split('\n').filter((line) => / cmd=(?!client\|list)/.test(line))
        .length,
    tally: async () =>
      Number(/cmdstat_quit:calls=(\d+)/.exec(await ask('INFO commandstats'))?.[1] ?? 0),
    cleanDelta: (open) => open,
    close: () => redis.close(),
  };
};

const memcachedBackend = async (): Promise<Backend> => {
  const memcached = await startMemcachedServer();
  // Each `stats` opens a connection of its own: counted, so that only the demo's remain.
  let probes = 0;
  const stats = () => ((probes += 1), memcached.stats());
  const { curr_connections: idle } = await stats();
  return {
    env: {
      RATE_LIMITER_BACKEND: 'memcached',
      RATE_LIMITER_MEMCACHED_HOST: '127.0.0.1',
      RATE_LIMITER_MEMCACHED_PORT: String(memcached.port),
    },
    connections: async () => (await stats()).curr_connections - idle,
    tally: async () => (await stats()).total_connections - probes,
    cleanDelta: () => 0,
    close: () => memcached.close(),
  };
};

const backends: [string, () => Promise<Backend>][] = [
  ['Redis', redisBackend],
  ['Memcached', memcachedBackend],
];

/** The demo's sessions on `database` now, and those that ended without a goodbye, ever. */
async function sessions(database: TestDatabase): Promise<{ open: number; abandoned: number }> {
  const client = new pg.Client(PG_ADMIN_URL);
  await client.connect();
  try {
    const { rows } = await client.query<{ open: number; abandoned: number }>(
      `SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1)::int AS open,
              sessions_abandoned::int AS abandoned
         FROM pg_stat_database WHERE datname = $1`,
      [new URL(database.url).pathname.slice(1)],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

/** Polls `probe` until it returns `expected`, for at most `timeoutMs`; resolves with the last value. */
async function settled<T>(probe: () => Promise<T>, expected: T, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

describe.each(backends)('SIGTERM to the demo on %s and PostgreSQL', (_name, startBackend) => {
  let backend: Backend | undefined;
  let database: TestDatabase | undefined;
  let demo: DemoProcess;

  beforeAll(async () => {
    [backend, database] = await Promise.all([startBackend(), createTestDatabase()]);
    demo = await startDemoProcess({ ...backend.env, DATABASE_URL: database.url });
  }, 180_000);

  afterAll(async () => {
    await stopDemoProcesses();
    await backend?.close();
    await database?.drop();
  });

  it('answers the request in flight, refuses new connections, closes every client, exits', async () => {
    const [server, db] = [backend!, database!];
    const created = await fetch(`${demo.url}/api/v1/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'gear' }),
    });
    expect(created.status).toBe(201);
    for (const remaining of ['99', '98', '97']) {
      const response = await fetch(`${demo.url}/api/v1/widgets/1`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-remaining')).toBe(remaining);
    }
    // What must be gone afterwards is there now: the checks below can fail.
    const open = await server.connections();
    expect(open).toBeGreaterThan(0);
    expect((await sessions(db)).open).toBeGreaterThan(0);
    const tally = await server.tally();

    const held = await holdRequest(demo.port, '/api/v1/widgets', { name: 'late' });
    const stopping = demo.stop('SIGTERM');
    const refusedMs = await refusedWithin(demo.port, 5000);
    const late = await held.finish();
    const exit = await stopping;
    console.log(
      `SIGTERM: refusing after ${refusedMs.toFixed(0)} ms, exited after ${exit.ms.toFixed(0)} ms`,
    );

    // Answered and counted: the limiter's store was still open while the server drained.
    expect(late.status).toBe(201);
    expect(late.headers['x-ratelimit-remaining']).toBe('18');
    // Nest re-raises the signal once its shutdown hooks are done (a hook failure exits 1).
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(exit.ms).toBeLessThan(5000);
    expect(demo.stderr()).toBe('');
    expect(await settled(() => server.connections(), 0)).toBe(0);
    expect((await server.tally()) - tally).toBe(server.cleanDelta(open));
    expect(await settled(async () => (await sessions(db)).open, 0)).toBe(0);
    // A session dropped without PostgreSQL's Terminate message counts as abandoned.
    expect((await sessions(db)).abandoned).toBe(0);
  });
});
