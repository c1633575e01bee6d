import { randomUUID } from 'node:crypto';
import {
  MemcachedRateLimitStore,
  type MemcachedRateLimitStoreOptions,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-rate-limit.store.js';
import type { RateLimitStore } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';
import { startHungServer } from '../support/hung-server.js';
import { startMemcachedServer, type ThrowawayMemcached } from '../support/memcached-server.js';
import { describeStoreContract } from './store-contract.js';

const [sharedHost, sharedPort] = (process.env.MEMCACHED_LOCATION ?? '127.0.0.1:11211').split(':');
const shared = { host: sharedHost, port: Number(sharedPort) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const close = (store: RateLimitStore) => (store as MemcachedRateLimitStore).onApplicationShutdown();

describeStoreContract('memcached', {
  create: () => Promise.resolve(new MemcachedRateLimitStore(shared)),
  destroy: close,
  createHung: async (timeoutMs) => {
    const server = await startHungServer();
    const store = new MemcachedRateLimitStore({ host: '127.0.0.1', port: server.port, timeoutMs });
    return {
      store,
      dispose: async () => {
        await store.onApplicationShutdown();
        await server.close();
      },
    };
  },
  supportsResetPattern: false,
});

const COMMANDS = ['cmd_get', 'cmd_set', 'cmd_touch', 'incr_hits', 'incr_misses', 'delete_hits'];

async function commandsDuring(server: ThrowawayMemcached, work: () => Promise<unknown>) {
  const before = await server.stats();
  await work();
  const after = await server.stats();
  return Object.fromEntries(COMMANDS.map((name) => [name, after[name] - before[name]]));
}

describe('memcached store', () => {
  let server: ThrowawayMemcached;
  const stores: MemcachedRateLimitStore[] = [];
  let prefix: string;
  const open = (options: MemcachedRateLimitStoreOptions) => {
    const store = new MemcachedRateLimitStore(options);
    stores.push(store);
    return store;
  };
  const onThrowaway = (options: MemcachedRateLimitStoreOptions = {}) =>
    open({ host: '127.0.0.1', port: server.port, ...options });

  beforeAll(async () => {
    server = await startMemcachedServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    await server.close();
  });
  beforeEach(() => {
    prefix = `ratelimit:test-${randomUUID()}`;
  });

  it('opens a window with incr + add and then checks with one incr each', async () => {
    const store = onThrowaway();
    const key = `${prefix}:ops`;
    const opening = await commandsDuring(server, () => store.incrementAndCheck(key, 100, 60));
    expect(opening).toMatchObject({ incr_misses: 1, cmd_set: 1, incr_hits: 0, cmd_get: 0 });
    const steady = await commandsDuring(server, async () => {
      for (let i = 0; i < 20; i += 1) await store.incrementAndCheck(key, 100, 60);
    });
    expect(steady).toEqual({
      cmd_get: 0,
      cmd_set: 0,
      cmd_touch: 0,
      incr_hits: 20,
      incr_misses: 0,
      delete_hits: 0,
    });
    expect(await store.getCount(key)).toBe(21);
  });

  it('fails fast while the server is dead and recovers by itself when it returns', async () => {
    const store = onThrowaway({ timeoutMs: 250 });
    await store.incrementAndCheck(`${prefix}:before`, 5, 60);
    await server.stop();
    const started = Date.now();
    const calls = [
      store.incrementAndCheck(`${prefix}:dead`, 5, 60),
      store.getCount(`${prefix}:dead`),
      store.ping(),
    ];
    for (const call of calls) await expect(call).rejects.toThrow(/memcached/);
    expect(Date.now() - started).toBeLessThan(250 + 500);

    await server.start();
    const deadline = Date.now() + 5000;
    let recovered: unknown;
    while (recovered === undefined && Date.now() < deadline) {
      recovered = await store.incrementAndCheck(`${prefix}:after`, 5, 60).catch(() => undefined);
      if (recovered === undefined) await sleep(100);
    }
    expect(recovered).toMatchObject({ count: 1, limited: false });
    await expect(store.ping()).resolves.toBeUndefined();
  }, 15_000);

  it('times out against a frozen server and works again once it thaws', async () => {
    const store = onThrowaway({ timeoutMs: 250 });
    const key = `${prefix}:frozen`;
    await store.incrementAndCheck(key, 5, 60);
    await server.pause();
    try {
      const started = Date.now();
      await expect(store.incrementAndCheck(key, 5, 60)).rejects.toThrow(/timed out after 250 ms/);
      await expect(store.ping()).rejects.toThrow(/timed out/);
      expect(Date.now() - started).toBeLessThan(2 * 250 + 500);
    } finally {
      await server.resume();
    }
    // The frozen incr is applied once the server thaws; its late reply must be ignored.
    await sleep(100);
    expect((await store.incrementAndCheck(key, 5, 60)).count).toBe(3);
  });

  it('lets exactly the limit through among 200 parallel checks from two clients', async () => {
    // Exactness, not speed: 200 calls on two fresh connections can outlast 250 ms on a busy machine.
    const [a, b] = [open({ ...shared, timeoutMs: 5_000 }), open({ ...shared, timeoutMs: 5_000 })];
    const key = `${prefix}:two-clients`;
    const hits = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).incrementAndCheck(key, 50, 60)),
    );
    expect(hits.filter((hit) => !hit.limited)).toHaveLength(50);
    expect(hits.map((hit) => hit.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(await b.getCount(key)).toBe(200);
  });

  it('counts keys memcached cannot take as they are, each on its own', async () => {
    const store = open(shared);
    const long = `${prefix}:${'x'.repeat(300)}`;
    const keys = [
      `${long}:a`,
      `${long}:b`,
      `${prefix}:with space`,
      `${prefix}:with_space`,
      `${prefix}:tab\there`,
      `${prefix}:ünïcode`,
      `${prefix}:#${'A'.repeat(43)}`,
    ];
    for (const [i, key] of keys.entries()) {
      for (let n = 0; n <= i; n += 1) await store.incrementAndCheck(key, 100, 60);
    }
    expect(await Promise.all(keys.map((key) => store.getCount(key)))).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
    await store.reset(keys[0]);
    expect(await store.getCount(keys[0])).toBe(0);
    expect(await store.getCount(keys[1])).toBe(2);
  });

  it('reports the end of the window, to the second, to every process', async () => {
    const opened = Math.floor(Date.now() / 1000) * 1000 + 300;
    let now = opened;
    const store = open({ ...shared, clock: { now: () => now } });
    const other = open({ ...shared, clock: { now: () => now + 5000 } });
    const key = `${prefix}:window-end`;
    // Opened at .300 s with a 60 s period: the window ends 59.7 s later, at a whole second.
    expect((await store.incrementAndCheck(key, 5, 60)).resetMs).toBe(59_700);
    now += 12_345;
    expect((await store.incrementAndCheck(key, 5, 60)).resetMs).toBe(59_700 - 12_345);
    expect((await other.incrementAndCheck(key, 5, 60)).resetMs).toBe(59_700 - 12_345 - 5000);
    now = opened + 61_000;
    expect(await store.incrementAndCheck(key, 5, 60)).toMatchObject({ count: 4, resetMs: 0 });
  });

  it('refuses resetPattern, naming what memcached cannot do', async () => {
    await expect(open(shared).resetPattern('ratelimit:*')).rejects.toThrow(
      'The memcached rate-limit store cannot reset by pattern',
    );
  });
});
