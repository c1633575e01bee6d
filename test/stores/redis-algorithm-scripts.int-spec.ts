import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { GCRA_SCRIPT } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/gcra.lua.js';
import { SLIDING_WINDOW_SCRIPT } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/sliding-window.lua.js';
import type { RateLimitHit } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/rate-limit-store.js';
import {
  expectGcraAsReference,
  expectSlidingWindowAsReference,
} from '../support/same-hits-as-reference.js';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';

// The Redis scripts against the reference steps they transcribe: the same arrivals, given the
// time explicitly, must give the same hits to the last bit.

const newKey = () => `ratelimit:test-${randomUUID()}`;

function hitOf(reply: unknown): RateLimitHit {
  const [limited, count, remaining, resetMs, retryAfterMs] = (reply as string[]).map(Number);
  return { limited: limited === 1, count, remaining, resetMs, retryAfterMs };
}

describe('the Redis algorithm scripts', () => {
  let redis: ThrowawayRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    await client.quit();
    await redis.stop();
  });

  const gcra = async (key: string, limit: number, seconds: number, burst: number, now?: number) =>
    hitOf(
      await client.eval(
        GCRA_SCRIPT,
        1,
        key,
        limit,
        seconds,
        burst,
        ...(now === undefined ? [] : [now]),
      ),
    );
  const sliding = async (key: string, limit: number, seconds: number, now?: number) =>
    hitOf(
      await client.eval(
        SLIDING_WINDOW_SCRIPT,
        1,
        key,
        limit,
        seconds,
        ...(now === undefined ? [] : [now]),
      ),
    );

  it('GCRA: every hit equals the reference step', () =>
    expectGcraAsReference(
      (key, limit, periodMs, now, burst) => gcra(key, limit, periodMs / 1000, burst, now),
      newKey,
      60,
    ));

  it('sliding window: every hit equals the reference step', () =>
    expectSlidingWindowAsReference(
      (key, limit, periodMs, now) => sliding(key, limit, periodMs / 1000, now),
      newKey,
      60,
    ));

  it("count on the server's clock, and expire with the window", async () => {
    const key = newKey();
    const hits = [];
    for (let i = 0; i < 4; i += 1) hits.push(await gcra(key, 3, 60, 3));
    expect(hits.map((hit) => hit.limited)).toEqual([false, false, false, true]);
    expect(hits[3].retryAfterMs).toBeGreaterThan(19_000);
    expect(await client.pttl(key)).toBeGreaterThan(59_000);
    const window = newKey();
    for (let i = 0; i < 3; i += 1) expect((await sliding(window, 2, 60)).limited).toBe(i === 2);
    expect(await client.pttl(window)).toBeGreaterThan(59_000);
  });

  it('count a limit too high to ever reach (10⁹ per minute) without failing', async () => {
    const key = newKey();
    for (let i = 0; i < 3; i += 1)
      expect(await gcra(key, 1_000_000_000, 60, 1_000_000_000)).toMatchObject({ limited: false });
    // The TTL is 1 ms (the interval is far below it), so the key may be gone already: what must
    // never happen is a key left without expiry (-1), which would never reset.
    expect(await client.pttl(key)).not.toBe(-1);
  });

  it("replace another algorithm's value under the key instead of misreading it", async () => {
    const key = newKey();
    await client.set(key, '5');
    expect(await sliding(key, 1, 60)).toMatchObject({ limited: false, count: 1 });
    await client.hset(key, 'x', '1');
    expect(await gcra(key, 1, 60, 1)).toMatchObject({ limited: false, count: 1 });
  });
});
