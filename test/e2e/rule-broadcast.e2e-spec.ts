import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RateLimitModuleOptions } from 'nest-tier-rate-limit';
import { adapters } from '../support/rate-limit-test-app.js';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';
import { msUntil } from '../support/ms-until.js';
import { type RuleHost, type RuleHosts, startRuleHosts } from '../support/rule-hosts.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
/** So long that no periodic check runs during a test: only a message can explain a change. */
const NO_POLLING_MS = 60_000;
const POLLING_MS = 200;
const WRITES = 20;
const BOUND_MS = 1000;
const RESULTS = join(tmpdir(), 'nest-tier-rate-limit', 'rule-broadcast');

const limitOf = async (host: RuleHost) =>
  (await host.limited(`probe-${randomUUID()}`, tierId(host))).headers.get('x-ratelimit-limit');
const tiers = new WeakMap<RuleHost, number>();
const tierId = (host: RuleHost) => tiers.get(host) ?? 0;
const median = (sorted: number[]) =>
  (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2;

/** A tier and a rule of limit `limit` on `/limited`, created on `host`, seen by every host. */
async function createRule(instances: RuleHosts, limit: number): Promise<string> {
  const [first] = instances.hosts;
  const tier = await first.call('POST', '/tiers', { name: `tier-${randomUUID()}` });
  expect(tier.status).toBe(201);
  for (const host of instances.hosts) tiers.set(host, (tier.body as { id: number }).id);
  const name = `rule-${randomUUID()}`;
  const rule = { name, tierId: tierId(first), path: '/limited', limit, period: 60 };
  expect((await first.call('POST', '/rate-limits', rule)).status).toBe(201);
  return name;
}

/** Changes the rule's limit on `writer`: resolves once `writer` answered and applies it. */
async function setLimit(writer: RuleHost, name: string, limit: number): Promise<void> {
  expect((await writer.call('PATCH', `/rate-limits/${name}`, { limit })).status).toBe(200);
  expect(await limitOf(writer)).toBe(String(limit));
}

const seenWithin = (host: RuleHost, limit: number, boundMs: number) =>
  msUntil(async () => (await limitOf(host)) === String(limit), boundMs);

describe('rule changes across instances', () => {
  let redis: Redis;
  const subscribers = async (prefix: string) =>
    Number(((await redis.pubsub('NUMSUB', `${prefix}:rules`)) as [string, number])[1]);

  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await redis.quit();
  });

  describe.each(adapters)('with the Redis store, on %s', (adapter) => {
    const keyPrefix = `broadcast-${randomUUID()}`;
    let instances: RuleHosts | undefined;
    let a: RuleHost;
    let b: RuleHost;

    beforeAll(async () => {
      const limiter: RateLimitModuleOptions = {
        store: 'redis',
        redis: { url: redisUrl },
        keyPrefix,
      };
      instances = await startRuleHosts(adapter, {
        count: 2,
        limiter,
        refreshIntervalMs: NO_POLLING_MS,
      });
      [a, b] = instances.hosts;
    });
    afterAll(async () => {
      await instances?.close();
    });

    it('subscribes each instance on the channel of its key prefix', async () => {
      await msUntil(async () => (await subscribers(keyPrefix)) === 2, 5000);
      expect(await subscribers(keyPrefix)).toBe(2);
    });

    it(`applies each of ${WRITES} writes on A to B in under ${BOUND_MS} ms`, async () => {
      const name = await createRule(instances!, 1000);
      await seenWithin(b, 1000, BOUND_MS);
      const delays: number[] = [];
      for (let i = 1; i <= WRITES; i += 1) {
        await setLimit(a, name, 1000 + i);
        // Bounded well past the assertion, so that a slow write is measured, not just failed.
        delays.push(await seenWithin(b, 1000 + i, BOUND_MS * 5));
      }
      const sorted = [...delays].sort((x, y) => x - y);
      const line =
        `rule broadcast on ${adapter}, ${WRITES} writes: median ${median(sorted).toFixed(1)} ms, ` +
        `worst ${sorted[sorted.length - 1].toFixed(1)} ms (from A's answer to B's header)`;
      console.log(line);
      await mkdir(RESULTS, { recursive: true });
      await writeFile(join(RESULTS, `${adapter}.txt`), `${line}\n${delays.join('\n')}\n`);
      expect(Math.max(...delays)).toBeLessThan(BOUND_MS);
    });

    it('closes its connections on shutdown', async () => {
      const closing = instances!;
      instances = undefined;
      await closing.close();
      await msUntil(async () => (await subscribers(keyPrefix)) === 0, 2000);
      expect(await subscribers(keyPrefix)).toBe(0);
    });
  });

  describe.each(adapters)('with the memory store, on %s', (adapter) => {
    const keyPrefix = `polling-${randomUUID()}`;
    let instances: RuleHosts | undefined;

    beforeAll(async () => {
      instances = await startRuleHosts(adapter, {
        count: 2,
        limiter: { store: 'memory', keyPrefix },
        refreshIntervalMs: POLLING_MS,
      });
    });
    afterAll(async () => {
      await instances?.close();
    });

    it('subscribes to nothing, and the periodic check applies a write on A to B', async () => {
      const [a, b] = instances!.hosts;
      const name = await createRule(instances!, 50);
      await seenWithin(b, 50, POLLING_MS * 2 + 500);
      await setLimit(a, name, 51);
      await seenWithin(b, 51, POLLING_MS * 2 + 500);
      expect(await subscribers(keyPrefix)).toBe(0);
    });
  });

  describe.each(adapters)('with Redis unreachable at start, on %s', (adapter) => {
    let server: ThrowawayRedis;
    let instances: RuleHosts | undefined;
    const start = async (refreshIntervalMs: number) => {
      // `local`: counted in memory while Redis is down, so that the headers show the rules.
      const limiter: RateLimitModuleOptions = {
        store: 'redis',
        redis: { url: server.url },
        failureMode: 'local',
      };
      instances = await startRuleHosts(adapter, { count: 2, limiter, refreshIntervalMs });
      return instances.hosts;
    };

    beforeAll(async () => {
      server = await startRedisServer();
    });
    beforeEach(async () => {
      await server.stop();
    });
    afterEach(async () => {
      await instances?.close();
      instances = undefined;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('starts, serves, and the periodic check applies a write on A to B', async () => {
      const [a, b] = await start(POLLING_MS);
      expect((await b.limited('first', 0)).status).toBe(200);
      const name = await createRule(instances!, 70);
      await seenWithin(b, 70, POLLING_MS * 2 + 500);
      await setLimit(a, name, 71);
      await seenWithin(b, 71, POLLING_MS * 2 + 500);
    });

    it('subscribes once Redis answers, catching up on the write it missed', async () => {
      const [a, b] = await start(NO_POLLING_MS);
      const name = await createRule(instances!, 80);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // No message could reach B, and no periodic check runs.
      expect(await limitOf(b)).toBe('100');
      await server.start();
      await seenWithin(b, 80, 5000);
      await setLimit(a, name, 81);
      await seenWithin(b, 81, BOUND_MS);
    });
  });
});
