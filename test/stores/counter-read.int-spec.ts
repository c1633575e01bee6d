import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  MemcachedRateLimitStore,
  MemoryRateLimitStore,
  type RateLimitAlgorithm,
  type RateLimitPolicyCheck,
  type RateLimitStore,
  RedisRateLimitStore,
} from 'nest-tier-rate-limit';
import { readCounters } from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/counters/counter-read.js';
import { startMemcachedServer, type ThrowawayMemcached } from '../support/memcached-server.js';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';

// What `GET /rate-limit-counters` relies on: a refund of 0 units of a hit with no window reads
// every policy's counter, whatever the store, the algorithm and the path that counted it (one
// policy of one unit: each store's fastest path; several: its all-or-none one), and changes
// nothing. Each backend is a server of its own, so that its write counters see only this file.

/** Writes a backend saw: Redis commands that change data, Memcached stores. */
interface Backend {
  store: RateLimitStore;
  writes(): Promise<number>;
  close(): Promise<void>;
}

const REDIS_WRITES = ['set', 'incr', 'incrby', 'hset', 'pexpire', 'del', 'unlink'];

async function redisBackend(): Promise<Backend & { server: ThrowawayRedis }> {
  const server = await startRedisServer();
  const admin = new Redis(server.url);
  const store = new RedisRateLimitStore({ url: server.url });
  return {
    server,
    store,
    writes: async () => {
      const stats = await admin.info('commandstats');
      return REDIS_WRITES.reduce((sum, name) => {
        const calls = new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(stats);
        return sum + Number(calls?.[1] ?? 0);
      }, 0);
    },
    close: async () => {
      await store.onApplicationShutdown();
      admin.disconnect();
      await server.close();
    },
  };
}

async function memcachedBackend(): Promise<Backend & { server: ThrowawayMemcached }> {
  const server = await startMemcachedServer();
  const store = new MemcachedRateLimitStore({ host: '127.0.0.1', port: server.port });
  return {
    server,
    store,
    // `cmd_set` counts set, add, replace and cas alike; `incr` and `delete` count apart.
    writes: async () => {
      const stats = await server.stats();
      return stats.cmd_set + stats.incr_hits + stats.incr_misses + stats.delete_hits;
    },
    close: async () => {
      await store.onApplicationShutdown();
      await server.close();
    },
  };
}

function memoryBackend(): Promise<Backend> {
  return Promise.resolve({
    store: new MemoryRateLimitStore(),
    writes: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  });
}

const backends: [string, () => Promise<Backend>][] = [
  ['memory', memoryBackend],
  ['redis', redisBackend],
  ['memcached', memcachedBackend],
];
const algorithms: RateLimitAlgorithm[] = ['fixed-window', 'sliding-window', 'gcra'];

describe.each(backends)('reading counters of the %s store', (_name, start) => {
  let backend: Backend;
  /** A policy on a key of its own (one caller's hash tag); 6 per 600 s, so nothing drains. */
  const policy = (algorithm: RateLimitAlgorithm, limit = 6): RateLimitPolicyCheck => ({
    key: `ratelimit:{user:${randomUUID()}}:api_v1_x`,
    limit,
    period: 600,
    algorithm,
  });
  /** Counts `times` requests of one unit: alone (the fast path), or beside another policy. */
  const count = async (
    check: RateLimitPolicyCheck,
    times: number,
    beside?: RateLimitPolicyCheck,
  ) => {
    for (let i = 0; i < times; i += 1) {
      if (beside === undefined)
        await backend.store.countRequest(check.key, check.limit, check.period, check);
      else await backend.store.countPolicies([check, beside], 1, false);
    }
  };

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend.close();
  });

  describe.each(algorithms)('%s', (algorithm) => {
    it.each(['alone', 'beside another policy'])(
      'reads 4 requests counted %s, twice the same, writing nothing, and the fifth counts on',
      async (how) => {
        const check = policy(algorithm);
        const other = how === 'alone' ? undefined : policy('fixed-window', 100);
        await count(check, 4, other);
        const writes = await backend.writes();
        const [first] = await readCounters(backend.store, [check]);
        expect(first).toMatchObject({ count: 4, remaining: 2, readError: null });
        expect(first.resetSeconds).toBeGreaterThan(0);
        // A sliding window's units leave with their sub-window, up to 1.1 periods on.
        expect(first.resetSeconds).toBeLessThanOrEqual(algorithm === 'sliding-window' ? 660 : 600);
        expect(await readCounters(backend.store, [check])).toEqual([first]);
        // GCRA on Redis sets the key to the value it holds (KEEPTTL): a write that changes nothing.
        const rewrites = _name === 'redis' && algorithm === 'gcra' ? 2 : 0;
        expect((await backend.writes()) - writes).toBe(rewrites);
        const fifth = await backend.store.countPolicies([check], 1, true);
        expect(fifth[0]).toMatchObject({ limited: false, remaining: 1 });
      },
    );

    it('reads several policies at once, and a key nobody counted as a full quota', async () => {
      const counted = policy(algorithm);
      const untouched = policy(algorithm);
      await count(counted, 2);
      const states = await readCounters(backend.store, [counted, untouched]);
      expect(states).toMatchObject([
        { count: 2, remaining: 4 },
        { count: 0, remaining: 6, resetSeconds: 0 },
      ]);
    });
  });

  it('reads a fixed window counted past its limit alone (refusals included), nothing left', async () => {
    const check = policy('fixed-window', 2);
    await count(check, 5);
    expect(await readCounters(backend.store, [check])).toMatchObject([{ count: 5, remaining: 0 }]);
  });

  it("reads another algorithm's value under the key as nothing counted, and leaves it", async () => {
    const check = policy('gcra');
    await count(check, 3);
    const asFixed = { ...check, algorithm: 'fixed-window' as const };
    expect(await readCounters(backend.store, [asFixed])).toMatchObject([
      { count: 0, remaining: 6 },
    ]);
    expect(await readCounters(backend.store, [check])).toMatchObject([{ count: 3, remaining: 3 }]);
  });
});

describe('reading counters of the redis store, TTL', () => {
  let backend: Awaited<ReturnType<typeof redisBackend>>;
  beforeAll(async () => {
    backend = await redisBackend();
  });
  afterAll(async () => {
    await backend.close();
  });

  it.each(algorithms)(
    'leaves the key, its value and its expiry as they were (%s)',
    async (algorithm) => {
      const client = new Redis(backend.server.url);
      try {
        const check = {
          key: `ratelimit:{user:${randomUUID()}}:x`,
          limit: 6,
          period: 600,
          algorithm,
        };
        await backend.store.countRequest(check.key, check.limit, check.period, check);
        const dump = async () =>
          [await client.dump(check.key), await client.pttl(check.key)] as const;
        const [value, ttl] = await dump();
        await new Promise((resolve) => setTimeout(resolve, 20));
        await readCounters(backend.store, [check]);
        const [after, ttlAfter] = await dump();
        expect(after).toEqual(value);
        expect(ttlAfter).toBeLessThan(ttl);
        expect(ttlAfter).toBeGreaterThan(0);
      } finally {
        client.disconnect();
      }
    },
  );
});
