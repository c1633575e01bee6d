import { randomUUID } from 'node:crypto';
import { MemcachedClient } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-client.js';
import {
  CasCounter,
  gcraStep,
  slidingWindowStep,
} from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memcached-cas.js';
import {
  expectGcraAsReference,
  expectSlidingWindowAsReference,
} from '../support/same-hits-as-reference.js';
import { startMemcachedServer, type ThrowawayMemcached } from '../support/memcached-server.js';

// Compare-and-swap counting against the reference steps, and exact across two clients.

const newKey = () => `ratelimit:test-${randomUUID()}`;

describe('Memcached compare-and-swap counting', () => {
  let memcached: ThrowawayMemcached;
  const clients: MemcachedClient[] = [];
  const client = () => {
    const made = new MemcachedClient({
      location: `127.0.0.1:${memcached.port}`,
      poolSize: 10,
      timeoutMs: 1000,
    });
    clients.push(made);
    return made;
  };
  beforeAll(async () => {
    memcached = await startMemcachedServer();
  });
  afterAll(async () => {
    for (const made of clients) made.end();
    await memcached.stop();
  });

  it('GCRA: every hit equals the reference step', () => {
    const counter = new CasCounter(client(), 1000);
    return expectGcraAsReference(
      (key, limit, periodMs, now, burst) =>
        counter.count(key, () => gcraStep(now, limit, periodMs, burst)),
      newKey,
      40,
    );
  });

  it('sliding window: every hit equals the reference step', () => {
    const counter = new CasCounter(client(), 1000);
    return expectSlidingWindowAsReference(
      (key, limit, periodMs, now) =>
        counter.count(key, () => slidingWindowStep(now, limit, periodMs)),
      newKey,
      40,
    );
  });

  it.each([
    ['gcra', (now: number) => gcraStep(now, 10, 60_000, 10)],
    ['sliding-window', (now: number) => slidingWindowStep(now, 10, 60_000)],
  ])(
    '%s: lets exactly 10 of 60 concurrent checks from two processes through',
    async (_name, step) => {
      // Two processes, a client and a counter each.
      const counters = [new CasCounter(client(), 1000), new CasCounter(client(), 1000)];
      const key = newKey();
      const now = Date.now();
      const hits = await Promise.all(
        Array.from({ length: 60 }, (_, i) => counters[i % 2].count(key, () => step(now))),
      );
      expect(hits.filter((hit) => !hit.limited)).toHaveLength(10);
    },
  );

  it('reads one round trip for a refusal and two for a pass', async () => {
    const connection = client();
    const key = newKey();
    const now = Date.now();
    const before = await memcached.stats();
    await new CasCounter(connection, 1000).count(key, () => gcraStep(now, 1, 60_000, 1));
    const afterPass = await memcached.stats();
    await new CasCounter(connection, 1000).count(key, () => gcraStep(now, 1, 60_000, 1));
    const afterRefusal = await memcached.stats();
    const operations = (from: Record<string, number>, to: Record<string, number>) =>
      to.cmd_get - from.cmd_get + (to.cmd_set - from.cmd_set);
    expect(operations(before, afterPass)).toBe(2);
    expect(operations(afterPass, afterRefusal)).toBe(1);
  });

  it("counts another algorithm's value under the key as none", async () => {
    const connection = client();
    const key = newKey();
    await connection.add(key, 123_456, 60);
    const now = Date.now();
    expect(
      await new CasCounter(connection, 1000).count(key, () => slidingWindowStep(now, 1, 60_000)),
    ).toMatchObject({
      limited: false,
      count: 1,
    });
    expect(
      await new CasCounter(connection, 1000).count(key, () => gcraStep(now, 1, 60_000, 1)),
    ).toMatchObject({
      limited: false,
      count: 1,
    });
  });
});
