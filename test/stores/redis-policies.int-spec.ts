import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { FIXED_WINDOW_SCRIPT } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/fixed-window.lua.js';
import {
  POLICIES_COUNT_SCRIPT,
  POLICIES_REFUND_SCRIPT,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/policies.lua.js';
import { MemoryRateLimitStore } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memory-rate-limit.store.js';
import type {
  RateLimitHit,
  RateLimitPolicyCheck,
  RateLimitStore,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';
import {
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/redis-rate-limit.store.js';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';
import { expectPoliciesAsReference } from '../support/same-policies-as-reference.js';

// countPolicies / refundPolicies of the Redis store on a Redis of its own (MONITOR sees only this
// file's commands), against the memory store and on Redis' own clock.

const sha = (script: string) => createHash('sha1').update(script).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Keys of one caller, sharing a hash tag as the key builder's do. */
const newCaller = () => `ratelimit:{test-${randomUUID()}}`;
/** Commands a script may run without writing. */
const READS = new Set(['time', 'get', 'pttl', 'hgetall']);

const fixed = (key: string, limit: number, period: number): RateLimitPolicyCheck => ({
  key,
  limit,
  period,
  algorithm: 'fixed-window',
});
const sliding = (key: string, limit: number, period: number): RateLimitPolicyCheck => ({
  key,
  limit,
  period,
  algorithm: 'sliding-window',
});
const gcra = (key: string, limit: number, period: number, burst?: number) => ({
  key,
  limit,
  period,
  algorithm: 'gcra' as const,
  burst,
});

describe('redis store: several policies at once', () => {
  let redis: ThrowawayRedis;
  let admin: Redis;
  const stores: RedisRateLimitStore[] = [];
  const makeStore = (options: RedisRateLimitStoreOptions = {}) => {
    const store = new RedisRateLimitStore({ url: redis.url, timeoutMs: 2000, ...options });
    stores.push(store);
    return store;
  };
  /** A store counting GCRA and sliding windows at `clock.time`. */
  const makeTimedStore = () => {
    const clock = { time: 1_790_000_000_000 };
    return { clock, store: makeStore({ clock: { now: () => clock.time } }) };
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.onApplicationShutdown()));
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.close();
  });

  /** What clients sent (`sent`) and what scripts ran (`scripted`) while `action` ran. */
  async function monitored(action: () => Promise<unknown>, expected: number) {
    const monitor = await admin.monitor();
    const sent: string[][] = [];
    const scripted: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const command = [args[0].toLowerCase(), ...args.slice(1)];
      (source === 'lua' ? scripted : sent).push(command);
    });
    try {
      await action();
      const deadline = Date.now() + 2000;
      while (sent.length < expected && Date.now() < deadline) await sleep(20);
      // Room for anything sent beyond what was expected to show up.
      await sleep(100);
    } finally {
      monitor.disconnect();
    }
    return { sent, scripted };
  }

  /** Each key's serialized value (null when absent) and TTL. */
  const snapshot = (keys: string[]) =>
    Promise.all(
      keys.map(async (key) => ({ value: await admin.dumpBuffer(key), ttl: await admin.pttl(key) })),
    );

  it('counts and refunds as the memory store does, on random policies, costs and refunds', async () => {
    const { clock, store } = makeTimedStore();
    await expectPoliciesAsReference(
      store,
      (now) => {
        clock.time = now;
      },
      60,
    );
  }, 120_000);

  it("reports a fixed window's end and time to reset on Redis' clock, whatever time is passed", async () => {
    const { store } = makeTimedStore();
    const key = `${newCaller()}:fixed`;
    const [hit] = await store.countPolicies([fixed(key, 5, 60)], 2, true);
    const [seconds, micros] = await admin.time();
    const end = Number(seconds) * 1000 + Number(micros) / 1000 + (await admin.pttl(key));
    expect(hit).toMatchObject({ count: 2, limited: false, remaining: 3, resetMs: 60_000 });
    expect(Math.abs(hit.window! - end)).toBeLessThan(20);
    await sleep(30);
    const [later] = await store.countPolicies([fixed(key, 5, 60)], 1, true);
    expect(later.count).toBe(3);
    expect(later.resetMs).toBeLessThanOrEqual(60_000 - 30);
    expect(Math.abs(later.window! - hit.window!)).toBeLessThan(5);
  });

  it('writes nothing when one policy refuses: the same values, no TTL renewed, only reads run', async () => {
    const { store } = makeTimedStore();
    const caller = newCaller();
    const counted = [
      fixed(`${caller}:f`, 5, 60),
      gcra(`${caller}:g`, 5, 60),
      sliding(`${caller}:s`, 5, 60),
    ];
    const fresh = [
      fixed(`${caller}:f2`, 5, 60),
      gcra(`${caller}:g2`, 5, 60),
      sliding(`${caller}:s2`, 5, 60),
    ];
    const refusing = fixed(`${caller}:full`, 1, 60);
    await store.countPolicies([...counted, refusing], 1, true);
    const keys = [...counted, ...fresh, refusing].map((policy) => policy.key);
    // Any write would set a TTL above those, which have run down since.
    await sleep(50);
    const before = await snapshot(keys);
    const { scripted } = await monitored(async () => {
      const hits = await store.countPolicies([...counted, ...fresh, refusing], 1, true);
      expect(hits.map((hit) => hit.limited)).toEqual([
        false,
        false,
        false,
        false,
        false,
        false,
        true,
      ]);
      expect(hits.map((hit) => hit.count)).toEqual([1, 1, 1, 0, 0, 0, 1]);
    }, 1);
    const after = await snapshot(keys);
    expect(after.map((key) => key.value)).toEqual(before.map((key) => key.value));
    after.forEach(({ ttl }, index) => expect(ttl).toBeLessThanOrEqual(before[index].ttl));
    expect(after.slice(3, 6).map((key) => key.ttl)).toEqual([-2, -2, -2]);
    expect(scripted.length).toBeGreaterThan(0);
    expect(scripted.filter(([command]) => !READS.has(command))).toEqual([]);
  });

  it('counts, refunds and takes the lone-policy path in one EVALSHA each', async () => {
    const store = makeStore();
    const caller = newCaller();
    const policies = [fixed(`${caller}:a`, 100, 60), gcra(`${caller}:b`, 100, 60)];
    const lone = [fixed(`${caller}:c`, 100, 60)];
    // Loads the scripts first: a new server answers NOSCRIPT once, then EVAL.
    const warm = await store.countPolicies(policies, 1, true);
    await store.refundPolicies(policies, warm, 1);
    await store.countPolicies(lone, 1, false);
    const { sent } = await monitored(async () => {
      for (let i = 0; i < 5; i += 1) {
        const hits = await store.countPolicies(policies, 2, true);
        await store.refundPolicies(policies, hits, 1);
        await store.countPolicies(lone, 1, false);
      }
    }, 15);
    const scripts = {
      [sha(POLICIES_COUNT_SCRIPT)]: 'count',
      [sha(POLICIES_REFUND_SCRIPT)]: 'refund',
    };
    scripts[sha(FIXED_WINDOW_SCRIPT)] = 'lone';
    expect(sent.map(([command]) => command)).toEqual(Array(15).fill('evalsha'));
    expect(sent.map(([, script]) => scripts[script])).toEqual(
      Array.from({ length: 5 }, () => ['count', 'refund', 'lone']).flat(),
    );
    expect(await admin.get(`${caller}:a`)).toBe(String(1 + 5 * 2 - 1 - 5 * 1));
  });

  it.each(['fixed-window', 'sliding-window', 'gcra'] as const)(
    'lets exactly 5 of 40 parallel requests from two instances through a %s limit of 5, counting them once on the long window',
    async (algorithm) => {
      const first = makeStore();
      const second = makeStore();
      const caller = newCaller();
      const policies: RateLimitPolicyCheck[] = [
        { key: `${caller}:minute`, limit: 5, period: 60, algorithm },
        fixed(`${caller}:hour`, 1000, 3600),
      ];
      await Promise.all([first.ping(), second.ping()]);
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          Promise.resolve((i % 2 ? first : second).countPolicies(policies, 1, i % 4 < 2)),
        ),
      );
      const passed = hits.filter(([short]) => !short.limited);
      expect(passed).toHaveLength(5);
      expect(hits.every(([, long]) => !long.limited)).toBe(true);
      expect(await admin.get(`${caller}:hour`)).toBe('5');
      expect(passed.map(([, long]) => long.count).sort()).toEqual([1, 2, 3, 4, 5]);
    },
  );

  it('gives nothing back to the fixed window after the one that counted', async () => {
    const store = makeStore();
    const key = `${newCaller()}:second`;
    const policies = [fixed(key, 3, 1)];
    const first = await store.countPolicies(policies, 2, true);
    expect(await store.refundPolicies(policies, first, 1)).toMatchObject([{ count: 1 }]);
    const deadline = Date.now() + 2500;
    while ((await admin.exists(key)) === 1 && Date.now() < deadline) await sleep(25);
    expect(await admin.exists(key)).toBe(0);
    const second = await store.countPolicies(policies, 2, true);
    expect(second).toMatchObject([{ count: 2, limited: false }]);
    expect(second[0].window! - first[0].window!).toBeGreaterThanOrEqual(1000);
    expect(await store.refundPolicies(policies, first, 2)).toMatchObject([{ count: 2 }]);
    expect(await admin.get(key)).toBe('2');
    expect(await store.refundPolicies(policies, second, 1)).toMatchObject([{ count: 1 }]);
    expect(await admin.get(key)).toBe('1');
  });

  it('never gives back below zero, and never what a fixed window counted past its limit', async () => {
    const { clock, store } = makeTimedStore();
    const caller = newCaller();
    const policies = [
      fixed(`${caller}:f`, 5, 60),
      sliding(`${caller}:s`, 5, 60),
      gcra(`${caller}:g`, 5, 60, 5),
    ];
    const hits = await store.countPolicies(policies, 2, true);
    const ttl = await admin.pttl(`${caller}:f`);
    clock.time += 1000;
    const idle = { count: 0, limited: false, remaining: 5, retryAfterMs: 0 };
    for (let i = 0; i < 2; i += 1)
      expect(await store.refundPolicies(policies, hits, 3)).toEqual([
        { ...idle, resetMs: expect.any(Number) },
        { ...idle, resetMs: 0 },
        { ...idle, resetMs: 0 },
      ]);
    expect(await admin.get(`${caller}:f`)).toBe('0');
    const kept = await admin.pttl(`${caller}:f`);
    expect(kept).toBeGreaterThan(ttl - 1000);
    expect(kept).toBeLessThanOrEqual(ttl);
    // Counted past its limit by the lone-policy path: 7 in a window of 3.
    const over = [fixed(`${caller}:over`, 3, 60)];
    for (let i = 0; i < 7; i += 1) await store.countPolicies(over, 1, false);
    const refused = await store.countPolicies(over, 1, true);
    expect(refused).toMatchObject([{ count: 7, limited: true, remaining: 0 }]);
    expect(await store.refundPolicies(over, refused, 1)).toMatchObject([{ count: 2 }]);
  });

  it('gives nothing back for a hit without window, GCRA included (it cannot tell what drained)', async () => {
    const { store } = makeTimedStore();
    const caller = newCaller();
    const policies = [
      fixed(`${caller}:f`, 5, 60),
      sliding(`${caller}:s`, 5, 60),
      gcra(`${caller}:g`, 5, 60),
    ];
    await store.countPolicies(policies, 2, false);
    const refunded = await store.refundPolicies(policies, [{}, {}, {}], 1);
    expect(refunded.map((hit) => hit.count)).toEqual([2, 2, 2]);
    const lone = [gcra(`${caller}:lone`, 5, 60)];
    const [hit] = await store.countPolicies(lone, 1, false);
    expect(hit.window).toBeUndefined();
    expect(await store.refundPolicies(lone, [hit], 1)).toMatchObject([{ count: 1, remaining: 4 }]);
  });

  it("counts over another algorithm's value as over nothing, and replaces it only on counting", async () => {
    const { store } = makeTimedStore();
    const caller = newCaller();
    const [hash, tat, counter] = ['hash', 'tat', 'counter'].map((name) => `${caller}:${name}`);
    await admin.hset(hash, 'b', '6000', 'n', '1', '0', '4');
    await admin.set(tat, 'g1790000000000');
    await admin.set(counter, '4');
    const policies = [fixed(hash, 5, 60), sliding(tat, 5, 60), gcra(counter, 5, 60)];
    const before = await snapshot([hash, tat, counter]);
    // A cost above a limit is refused: nothing may be written.
    const refused = await store.countPolicies([...policies, fixed(`${caller}:x`, 1, 60)], 2, true);
    expect(refused.map((hit) => [hit.count, hit.limited])).toEqual([
      [0, false],
      [0, false],
      [0, false],
      [0, true],
    ]);
    expect(await snapshot([hash, tat, counter])).toEqual(before);
    const counted = await store.countPolicies(policies, 2, true);
    expect(counted.map((hit) => [hit.count, hit.limited])).toEqual([
      [2, false],
      [2, false],
      [2, false],
    ]);
    expect(await admin.get(hash)).toBe('2');
    expect(await admin.type(tat)).toBe('hash');
    expect(await admin.get(counter)).toMatch(/^g/);
  });

  it("reads the lone-policy path's counters, and that path reads the script's", async () => {
    const { store } = makeTimedStore();
    const caller = newCaller();
    const minute = fixed(`${caller}:f`, 10, 60);
    const burst = gcra(`${caller}:g`, 3, 60);
    for (let i = 0; i < 3; i += 1) await store.countPolicies([minute], 1, false);
    await store.countPolicies([burst], 1, false);
    const both = await store.countPolicies([minute, burst], 1, false);
    expect(both.map((hit) => hit.count)).toEqual([4, 2]);
    expect(await store.countPolicies([minute], 1, false)).toMatchObject([{ count: 5 }]);
    expect(await store.countPolicies([burst], 1, false)).toMatchObject([{ count: 3 }]);
    expect(await store.countPolicies([burst], 1, false)).toMatchObject([{ limited: true }]);
  });

  it('counts a key listed twice as the memory store does: the second sees what the first counted', async () => {
    const { clock, store } = makeTimedStore();
    const reference: RateLimitStore = new MemoryRateLimitStore({
      clock: { now: () => clock.time },
    });
    const caller = newCaller();
    const policies = [
      fixed(`${caller}:f`, 3, 60),
      fixed(`${caller}:f`, 5, 60),
      gcra(`${caller}:g`, 5, 60),
      gcra(`${caller}:g`, 3, 60),
    ];
    for (let i = 0; i < 3; i += 1) {
      const expected = await reference.countPolicies(policies, 2, false);
      const actual = await store.countPolicies(policies, 2, false);
      const counts = (hits: RateLimitHit[]) => hits.map(({ count, limited }) => [count, limited]);
      expect(counts(actual)).toEqual(counts(expected));
      expect(actual.slice(2)).toEqual(expected.slice(2));
    }
    expect(await admin.get(`${caller}:f`)).toBe('4');
  });

  it('writes nothing for a shadow policy that would refuse, and counts the others', async () => {
    const { store } = makeTimedStore();
    const caller = newCaller();
    const counted = fixed(`${caller}:counted`, 5, 60);
    const shadows = [
      fixed(`${caller}:f`, 1, 60),
      gcra(`${caller}:g`, 1, 60),
      sliding(`${caller}:s`, 1, 60),
    ].map((policy) => ({ ...policy, shadow: true }));
    await store.countPolicies([counted, ...shadows], 1, true);
    const keys = shadows.map((policy) => policy.key);
    // Any write would set a TTL above those, which have run down since.
    await sleep(50);
    const before = await snapshot(keys);
    const { scripted } = await monitored(async () => {
      const hits = await store.countPolicies([counted, ...shadows], 1, true);
      expect(hits.map((hit) => [hit.limited, hit.count])).toEqual([
        [false, 2],
        [true, 1],
        [true, 1],
        [true, 1],
      ]);
      for (const hit of hits.slice(1)) {
        expect(hit.retryAfterMs).toBeGreaterThan(0);
        expect(hit.window).toBeUndefined();
      }
    }, 1);
    const after = await snapshot(keys);
    expect(after.map((key) => key.value)).toEqual(before.map((key) => key.value));
    after.forEach(({ ttl }, index) => expect(ttl).toBeLessThanOrEqual(before[index].ttl));
    const writes = scripted.filter(([command]) => !READS.has(command));
    expect(writes.map(([, key]) => key)).toEqual([counted.key]);
    expect(await admin.get(counted.key)).toBe('2');
  });

  it('sends a shadow policy as its algorithm in upper case: not one argument more', async () => {
    const store = makeStore();
    const caller = newCaller();
    const policies = [fixed(`${caller}:a`, 100, 60), gcra(`${caller}:b`, 50, 60, 7)];
    // Loads the script first: a new server answers NOSCRIPT once, then EVAL.
    await store.countPolicies(policies, 1, true);
    const { sent } = await monitored(async () => {
      await store.countPolicies(policies, 1, true);
      await store.countPolicies(
        policies.map((policy) => ({ ...policy, shadow: true })),
        1,
        true,
      );
    }, 2);
    // evalsha, its SHA, the number of keys, the keys, the cost and the time: then the policies.
    const [enforced, shadowed] = sent.map((command) => command.slice(7));
    expect(enforced).toEqual(['f', '100', '60', '100', 'g', '50', '60', '7']);
    expect(shadowed).toEqual(['F', '100', '60', '100', 'G', '50', '60', '7']);
    expect(await admin.get(`${caller}:a`)).toBe('3');
  });

  it('counts a request once when Redis lost its scripts', async () => {
    const store = makeStore();
    const caller = newCaller();
    const policies = [fixed(`${caller}:a`, 5, 60), sliding(`${caller}:b`, 5, 60)];
    await store.countPolicies(policies, 1, true);
    await admin.script('FLUSH');
    const hits = await store.countPolicies(policies, 1, true);
    expect(hits.map((hit) => hit.count)).toEqual([2, 2]);
    await admin.script('FLUSH');
    const refunded = await store.refundPolicies(policies, hits, 1);
    expect(refunded.map((hit) => hit.count)).toEqual([1, 1]);
  });
});
