import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FIXED_WINDOW_SCRIPT } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/fixed-window.lua.js';
import {
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/redis-rate-limit.store.js';
import { startHungServer } from '../support/hung-server.js';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';
import { describeStoreContract } from './store-contract.js';

const SHARED_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const SCRIPT_SHA = createHash('sha1').update(FIXED_WINDOW_SCRIPT).digest('hex');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newKey = () => `ratelimit:test-${randomUUID()}`;

/** Retries `fn` until it resolves, for at most `timeoutMs`. */
async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await sleep(50);
  }
}

/** Milliseconds `promise` took to reject; fails the test if it resolves. */
async function rejectionTime(promise: Promise<unknown>): Promise<number> {
  const started = Date.now();
  await expect(promise).rejects.toThrow();
  return Date.now() - started;
}

describeStoreContract('redis', {
  create: () => Promise.resolve(new RedisRateLimitStore({ url: SHARED_URL })),
  destroy: (store) => (store as RedisRateLimitStore).onApplicationShutdown(),
  createHung: async (timeoutMs) => {
    const server = await startHungServer();
    const store = new RedisRateLimitStore({ host: '127.0.0.1', port: server.port, timeoutMs });
    const dispose = async () => {
      await store.onApplicationShutdown();
      await server.close();
    };
    return { store, dispose };
  },
  supportsResetPattern: true,
});

describe('redis store', () => {
  let redis: ThrowawayRedis;
  let admin: Redis;
  const stores: RedisRateLimitStore[] = [];
  const clients: Redis[] = [];
  const makeStore = (options: RedisRateLimitStoreOptions = {}) => {
    const store = new RedisRateLimitStore({ url: redis.url, ...options });
    stores.push(store);
    return store;
  };
  const makeClient = (url = redis.url) => {
    const client = new Redis(url);
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = makeClient();
  });
  // Closed after each test, so that no idle store is mid-reconnect when a later test kills Redis.
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.onApplicationShutdown()));
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.close();
  });

  /** The commands clients sent (not those scripts ran) while `action` ran, with their source. */
  /** The commands clients sent while `action` ran (`scripted`: those the script ran). */
  async function monitored(action: () => Promise<void>, expected: number, scripted: string[] = []) {
    const monitor = await admin.monitor();
    const sent: { command: string; source: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === 'lua') scripted.push(args[0].toLowerCase());
      else sent.push({ command: args[0].toLowerCase(), source });
    });
    try {
      await action();
      await eventually(() => expect(sent.length).toBeGreaterThanOrEqual(expected), 2000);
      // Room for anything sent beyond what was expected to show up.
      await sleep(100);
    } finally {
      monitor.disconnect();
    }
    return sent;
  }

  it('checks in exactly one round trip: one EVALSHA and nothing else', async () => {
    const store = makeStore();
    await store.incrementAndCheck(newKey(), 10, 60);
    const key = newKey();
    const sent = await monitored(async () => {
      for (let i = 0; i < 20; i += 1) await store.incrementAndCheck(key, 10, 60);
    }, 20);
    expect(sent.map((entry) => entry.command)).toEqual(Array(20).fill('evalsha'));
  });

  it('runs two commands per check: INCR, then PEXPIRE on opening a window, PTTL after', async () => {
    const store = makeStore();
    await store.incrementAndCheck(newKey(), 10, 60);
    const key = newKey();
    const scripted: string[] = [];
    await monitored(
      async () => {
        for (let i = 0; i < 3; i += 1) await store.incrementAndCheck(key, 10, 60);
      },
      3,
      scripted,
    );
    expect(scripted).toEqual(['incr', 'pexpire', 'incr', 'pttl', 'incr', 'pttl']);
    expect(await admin.pttl(key)).toBeGreaterThan(59_000);
  });

  it('gives a counter left without expiry a window again on its next check', async () => {
    const store = makeStore();
    const key = newKey();
    await admin.set(key, '4');
    const hit = await store.incrementAndCheck(key, 10, 60);
    expect(hit).toMatchObject({ count: 5, resetMs: 60_000 });
    expect(await admin.pttl(key)).toBeGreaterThan(59_000);
  });

  it('reloads its script after a restart and counts that first check once', async () => {
    const store = makeStore();
    await store.incrementAndCheck(newKey(), 10, 60);
    await redis.stop();
    await redis.start();
    expect(await admin.script('EXISTS', SCRIPT_SHA)).toEqual([0]);
    await eventually(() => store.ping());
    const key = newKey();
    await expect(store.incrementAndCheck(key, 10, 60)).resolves.toMatchObject({ count: 1 });
    expect(await store.getCount(key)).toBe(1);
    expect(await admin.script('EXISTS', SCRIPT_SHA)).toEqual([1]);
  });

  it('counts each of 50 concurrent checks once when the script cache was flushed under them', async () => {
    const store = makeStore({ poolSize: 2 });
    await Promise.all([1, 2].map(() => store.incrementAndCheck(newKey(), 10, 60)));
    await admin.script('FLUSH');
    const key = newKey();
    // Sent in one tick, all in flight at once; each NOSCRIPT reply is retried as EVAL once.
    const hits = await Promise.all(
      Array.from({ length: 50 }, () => store.incrementAndCheck(key, 100, 60)),
    );
    expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(await store.getCount(key)).toBe(50);
  });

  it('fails fast while Redis is down and recovers by itself when it returns', async () => {
    const store = makeStore({ timeoutMs: 1000 });
    const key = newKey();
    await store.incrementAndCheck(key, 10, 60);
    await redis.stop();
    try {
      // Refused at once (no offline queue), well before the command timeout.
      for (let i = 0; i < 3; i += 1) {
        expect(await rejectionTime(store.incrementAndCheck(key, 10, 60))).toBeLessThan(500);
      }
    } finally {
      await redis.start();
    }
    const hit = await eventually(() => store.incrementAndCheck(key, 10, 60));
    expect(hit).toMatchObject({ count: 1, limited: false });
  });

  it('fails within the timeout while Redis is frozen, and works once it thaws', async () => {
    const store = makeStore({ timeoutMs: 200 });
    const key = newKey();
    await store.incrementAndCheck(key, 10, 60);
    await redis.pause();
    try {
      expect(await rejectionTime(store.incrementAndCheck(key, 10, 60))).toBeLessThan(700);
    } finally {
      await redis.resume();
    }
    // The frozen check reached Redis and is counted once it thaws: this one is the third.
    await expect(store.incrementAndCheck(key, 10, 60)).resolves.toMatchObject({ count: 3 });
  });

  it('leaves a client passed in connected on shutdown', async () => {
    const client = makeClient();
    const store = new RedisRateLimitStore({ client });
    await store.incrementAndCheck(newKey(), 10, 60);
    await store.onApplicationShutdown();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
  });

  it('closes the connections it opened on shutdown', async () => {
    const store = new RedisRateLimitStore({ url: redis.url, poolSize: 2 });
    await store.ping();
    await store.onApplicationShutdown();
    await expect(store.ping()).rejects.toThrow(/closed/);
    await expect(store.ping()).rejects.toThrow(/closed/);
  });

  it('spreads checks round-robin over poolSize connections', async () => {
    const store = makeStore({ poolSize: 3 });
    await eventually(() => Promise.all([store.ping(), store.ping(), store.ping()]));
    const key = newKey();
    const sent = await monitored(async () => {
      for (let i = 0; i < 6; i += 1) await store.incrementAndCheck(key, 10, 60);
    }, 6);
    const sources = sent.map((entry) => entry.source);
    expect(new Set(sources).size).toBe(3);
    expect(sources.slice(3)).toEqual(sources.slice(0, 3));
    expect(await store.getCount(key)).toBe(6);
  });

  it('writes every check at once, none waiting for a turn of the event loop', async () => {
    const store = makeStore();
    await eventually(() => store.ping());
    const connection = store['clients'][0] as unknown as Redis;
    const key = newKey();
    const checks = [1, 2, 3, 4].map(() => store.incrementAndCheck(key, 10, 60));
    // On the wire before this tick ends: an auto-pipeline would still hold them.
    expect(connection.commandQueue.length).toBe(4);
    expect(connection.autoPipelineQueueSize).toBe(0);
    const counts = (await Promise.all(checks)).map((hit) => hit.count);
    expect(counts.sort()).toEqual([1, 2, 3, 4]);
  });

  it('lets exactly the limit through among 200 checks from two instances', async () => {
    const first = new RedisRateLimitStore({ url: SHARED_URL });
    const second = new RedisRateLimitStore({ url: SHARED_URL });
    stores.push(first, second);
    const key = newKey();
    const hits = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? first : second).incrementAndCheck(key, 50, 60),
      ),
    );
    expect(hits.filter((hit) => !hit.limited)).toHaveLength(50);
    expect(new Set(hits.map((hit) => hit.count)).size).toBe(200);
    expect(await first.getCount(key)).toBe(200);
  });

  it('treats only * and ? as wildcards in resetPattern', async () => {
    const store = makeStore();
    const prefix = newKey();
    await store.incrementAndCheck(`${prefix}:[ab]`, 5, 60);
    await store.incrementAndCheck(`${prefix}:a`, 5, 60);
    expect(await store.resetPattern(`${prefix}:[ab]`)).toBe(1);
    expect(await store.getCount(`${prefix}:a`)).toBe(1);
  });
});
