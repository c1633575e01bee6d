import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRateLimitStore } from 'nest-tier-rate-limit';
import { RuleChangeBroadcast } from '../packages/nest-tier-rate-limit/src/rate-limit-rules/rule-change-broadcast.js';
import { msUntil } from './support/ms-until.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';

describe('RuleChangeBroadcast on a real Redis', () => {
  const stores: RedisRateLimitStore[] = [];
  const broadcasts: RuleChangeBroadcast[] = [];
  let redis: Redis;
  const subscribers = async (channel: string) =>
    Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);

  /** A broadcast on `channel` over a store of its own, and how often it was told of a change. */
  const open = (channel: string, url = redisUrl) => {
    const store = new RedisRateLimitStore({ url });
    const heard = { count: 0 };
    const broadcast = new RuleChangeBroadcast(store, channel, () => (heard.count += 1));
    stores.push(store);
    broadcasts.push(broadcast);
    return { broadcast, heard };
  };

  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await Promise.all(broadcasts.map((broadcast) => broadcast.close()));
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    await redis.quit();
  });

  it('tells the other instances on its channel, not itself nor another channel', async () => {
    const channel = `broadcast-${randomUUID()}:rules`;
    const other = `broadcast-${randomUUID()}:rules`;
    const a = open(channel);
    const b = open(channel);
    const c = open(other);
    await msUntil(async () => (await subscribers(channel)) === 2, 5000);
    await msUntil(async () => (await subscribers(other)) === 1, 5000);
    // Each (re)subscription runs one check, for what was sent while it was away.
    await msUntil(() => Promise.resolve([a, b, c].every(({ heard }) => heard.count === 1)), 5000);

    a.broadcast.publish('v1');
    await msUntil(() => Promise.resolve(b.heard.count === 2), 1000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([a, b, c].map(({ heard }) => heard.count)).toEqual([1, 2, 1]);
  });

  it('neither throws nor rejects while Redis is unreachable, and closes', async () => {
    // Port 1: nothing listens there, every connection is refused at once.
    const { broadcast, heard } = open(`down-${randomUUID()}:rules`, 'redis://127.0.0.1:1');
    expect(() => broadcast.publish('v1')).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(broadcast.close()).resolves.toBeUndefined();
    expect(heard.count).toBe(0);
  });
});
