import { randomUUID } from 'node:crypto';
import { RedisRateLimitStore } from 'nest-tier-rate-limit';
import { startRedisSentinel, type ThrowawayRedisSentinel } from '../support/redis-sentinel.js';

// The Redis store on a master found through real local sentinels (the master's password set):
// it counts on the master the sentinels name, exactly across instances. Its failover under load
// is in test/faults/redis-failover.fault-spec.ts.

const password = 'sentinel-store-secret';

describe('Redis store through Redis Sentinel', () => {
  let topology: ThrowawayRedisSentinel;
  const stores: RedisRateLimitStore[] = [];
  const makeStore = () => {
    const store = new RedisRateLimitStore({
      sentinels: topology.sentinels,
      sentinelName: topology.name,
      password,
      db: 0,
      timeoutMs: 2000,
    });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    topology = await startRedisSentinel({ password });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    await topology?.close();
  });

  it('lets exactly the limit through among 300 checks from three instances', async () => {
    const instances = [makeStore(), makeStore(), makeStore()];
    const key = `ratelimit:{user:${randomUUID()}}:a`;
    const checks = Array.from({ length: 300 }, async (_, n) =>
      instances[n % 3].countPolicies([{ key, limit: 50, period: 60 }], 1, true),
    );
    const passed = (await Promise.all(checks)).filter(([hit]) => !hit.limited).length;
    expect(passed).toBe(50);
    expect(await instances[0].getCount(key)).toBe(50);
  });

  it('refuses to start with sentinels but no master name', () => {
    expect(() => new RedisRateLimitStore({ sentinels: topology.sentinels })).toThrow(
      'RedisRateLimitStore option sentinels needs sentinelName',
    );
  });
});
