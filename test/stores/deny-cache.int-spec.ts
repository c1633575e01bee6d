import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  MemcachedRateLimitStore,
  RateLimitService,
  RedisRateLimitStore,
  type RateLimitModuleOptions,
  type RateLimitPolicyCheck,
  type RateLimitStore,
} from 'nest-tier-rate-limit';
import { resolveRateLimitOptions } from '../../packages/nest-tier-rate-limit/src/rate-limit/rate-limit-options.resolve.js';
import { startMemcachedServer, type ThrowawayMemcached } from '../support/memcached-server.js';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';

// The local deny cache in front of real shared stores: a flood of refused requests costs the
// store (almost) nothing, and nothing the store would allow is refused for long.

const FLOOD = 10_000;
const CONCURRENCY = 16;
const LIMIT = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One shared store, and how many commands it has been sent so far. */
interface Backend {
  store: RateLimitStore;
  commands(): Promise<number>;
  close(): Promise<void>;
}

async function redisBackend(): Promise<Backend> {
  const server: ThrowawayRedis = await startRedisServer();
  const admin = new Redis(server.url);
  const store = new RedisRateLimitStore({ url: server.url, timeoutMs: 2000 });
  return {
    store,
    commands: async () => {
      const info = String(await admin.call('INFO', 'commandstats'));
      // Every check is one script call: EVALSHA, or EVAL once Redis lost the script.
      const calls = [...info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)];
      return calls.reduce((sum, [, , count]) => sum + Number(count), 0);
    },
    close: async () => {
      await store.onApplicationShutdown();
      await admin.quit();
      await server.close();
    },
  };
}

async function memcachedBackend(): Promise<Backend> {
  const server: ThrowawayMemcached = await startMemcachedServer();
  const store = new MemcachedRateLimitStore({
    host: '127.0.0.1',
    port: server.port,
    timeoutMs: 2000,
  });
  // Every operation the store can send: reads, writes (add, cas and set count as sets), incr, touch.
  const OPERATIONS = ['cmd_get', 'cmd_set', 'cmd_touch', 'incr_hits', 'incr_misses'];
  const OPERATIONS_DECR = ['decr_hits', 'decr_misses', 'delete_hits', 'delete_misses'];
  return {
    store,
    commands: async () => {
      const stats = await server.stats();
      return [...OPERATIONS, ...OPERATIONS_DECR].reduce((sum, name) => sum + (stats[name] ?? 0), 0);
    },
    close: async () => {
      await store.onApplicationShutdown();
      await server.close();
    },
  };
}

/** Runs `count` calls of `check`, `CONCURRENCY` in flight at once; resolves with how many passed. */
async function flood(count: number, check: () => Promise<boolean>): Promise<number> {
  let next = 0;
  let allowed = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      if (await check()) allowed += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return allowed;
}

describe.each([
  ['redis', redisBackend],
  ['memcached', memcachedBackend],
] as const)('local deny cache on %s', (name, open) => {
  let backend: Backend;
  const service = (options: RateLimitModuleOptions = {}) =>
    new RateLimitService(
      backend.store,
      resolveRateLimitOptions({ store: backend.store, ...options }),
    );
  const caller = () => `ratelimit:{user:${randomUUID()}}`;

  beforeAll(async () => {
    backend = await open();
  });
  afterAll(async () => {
    await backend.close();
  });

  it('is on by default for a shared store', async () => {
    const limiter = service();
    const policy = { key: `${caller()}:a`, limit: 1, period: 60 };
    await limiter.incrementAndCheck(policy);
    await limiter.incrementAndCheck(policy);
    const before = await backend.commands();
    expect((await limiter.incrementAndCheck(policy)).allowed).toBe(false);
    expect(await backend.commands()).toBe(before);
  });

  it.each([
    ['one policy', false],
    ['three policies', true],
  ])(
    `sends at most 0.01 store commands per refused request in a flood of ${FLOOD} (%s)`,
    async (_, several) => {
      const limiter = service();
      const key = caller();
      const policies: RateLimitPolicyCheck[] = [
        { key: `${key}:a`, limit: LIMIT, period: 60 },
        { key: `${key}:a#3600s`, limit: 100, period: 3600, algorithm: 'sliding-window' },
        { key: `${key}:*`, limit: 1000, period: 60, algorithm: 'gcra' },
      ];
      const before = await backend.commands();
      const allowed = await flood(FLOOD, async () => {
        const decision = several
          ? await limiter.incrementAndCheck(policies)
          : await limiter.incrementAndCheck(policies[0]);
        return decision.allowed;
      });
      const commands = (await backend.commands()) - before;
      const perRefusal = commands / (FLOOD - allowed);
      process.stdout.write(
        `${name}, ${several ? 3 : 1} policies: ${commands} store commands for ${FLOOD - allowed} refusals = ${perRefusal.toFixed(4)} per refused request\n`,
      );
      expect(allowed).toBe(LIMIT);
      expect(perRefusal).toBeLessThanOrEqual(0.01);
    },
  );

  it('asks the store again once the time it reported is over', async () => {
    const limiter = service();
    // GCRA at 10 per second: a unit every 100 ms.
    const policy: RateLimitPolicyCheck = {
      key: `${caller()}:a`,
      limit: 10,
      period: 1,
      algorithm: 'gcra',
      burst: 1,
    };
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(true);
    const refused = await limiter.incrementAndCheck([policy]);
    expect(refused.allowed).toBe(false);
    const before = await backend.commands();
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(false);
    expect(await backend.commands()).toBe(before);
    await sleep(150);
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(true);
  });

  it('lets a raised limit apply on the next request', async () => {
    const limiter = service();
    const key = `${caller()}:a`;
    await limiter.incrementAndCheck([{ key, limit: 1, period: 60 }]);
    expect((await limiter.incrementAndCheck([{ key, limit: 1, period: 60 }])).allowed).toBe(false);
    expect((await limiter.incrementAndCheck([{ key, limit: 2, period: 60 }])).allowed).toBe(true);
  });

  it('forgets a key whose units were given back, and a key reset', async () => {
    const limiter = service();
    const policy = { key: `${caller()}:a`, limit: 1, period: 60 };
    const first = await limiter.incrementAndCheck([policy]);
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(false);
    await limiter.refund(first);
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(true);
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(false);
    await limiter.reset(policy.key);
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(true);
  });

  it('reports the refusal as the store did: limit, nothing left, the wait', async () => {
    const limiter = service();
    const policy = { key: `${caller()}:a`, limit: 1, period: 60 };
    await limiter.incrementAndCheck([policy]);
    const fromStore = await limiter.incrementAndCheck([policy]);
    const fromCache = await limiter.incrementAndCheck([policy]);
    expect(fromCache).toMatchObject({
      allowed: false,
      limit: 1,
      remaining: 0,
      cost: 0,
      source: 'store',
    });
    expect(fromCache.retryAfterSeconds).toBeLessThanOrEqual(fromStore.retryAfterSeconds);
    expect(fromCache.retryAfterSeconds).toBeGreaterThanOrEqual(fromStore.retryAfterSeconds - 1);
    expect(fromCache.policies.map((state) => state.policy.key)).toEqual([policy.key]);
  });

  it('can be turned off: every refused request asks the store', async () => {
    const limiter = service({ localDenyCache: false });
    const policy = { key: `${caller()}:a`, limit: 1, period: 60 };
    await limiter.incrementAndCheck(policy);
    const before = await backend.commands();
    await limiter.incrementAndCheck(policy);
    await limiter.incrementAndCheck(policy);
    expect(await backend.commands()).toBeGreaterThanOrEqual(before + 2);
  });

  it('never remembers a shadow policy, which must keep counting', async () => {
    const limiter = service();
    const policy = { key: `${caller()}:a`, limit: 1, period: 60, shadow: true };
    for (let i = 0; i < 3; i += 1)
      expect((await limiter.incrementAndCheck([policy])).allowed).toBe(true);
    const before = await backend.commands();
    await limiter.incrementAndCheck([policy]);
    expect(await backend.commands()).toBeGreaterThan(before);
  });
});
