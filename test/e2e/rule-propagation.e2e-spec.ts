import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

const REFRESH_MS = 250;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const superuser = tokenFor({ sub: 'admin', isSuperuser: true });

/** Polls `probe` until it holds, returning the milliseconds it took; bounded. */
async function msUntil(probe: () => Promise<boolean>, boundMs: number): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > boundMs) throw new Error(`not seen within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

describe('rule changes across two instances sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let first: RunningDemo;
  let second: RunningDemo;
  const pro = tokenFor({ sub: `propagation-${Date.now()}`, tierId: 2 });
  const limitSeenBy = async (demo: RunningDemo) =>
    (await demo.request('GET', '/api/v1/widgets', { token: pro })).headers.get('x-ratelimit-limit');

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      RATE_LIMITER_BACKEND: 'redis',
      RATE_LIMITER_REDIS_URL: redisUrl,
      RATE_LIMIT_RULES_REFRESH_MS: String(REFRESH_MS),
    };
    // One after the other: the first applies the migrations, the second finds none pending.
    first = await startDemo(env);
    second = await startDemo(env);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it('sees a rule created, changed and deleted on the other instance within the refresh bound', async () => {
    const bound = REFRESH_MS * 2 + 500;
    expect(await limitSeenBy(second)).toBe('100');
    const created = await first.request('POST', '/api/v1/rate-limits', {
      token: superuser,
      body: { name: 'pro_list', tierId: 2, path: '/api/v1/widgets', limit: 40, period: 60 },
    });
    expect(created.status).toBe(201);
    expect(await limitSeenBy(first)).toBe('40');
    const createdMs = await msUntil(async () => (await limitSeenBy(second)) === '40', bound);

    await first.request('PATCH', '/api/v1/rate-limits/pro_list', {
      token: superuser,
      body: { limit: 9 },
    });
    const patchedMs = await msUntil(async () => (await limitSeenBy(second)) === '9', bound);

    await first.request('DELETE', '/api/v1/rate-limits/pro_list', { token: superuser });
    const deletedMs = await msUntil(async () => (await limitSeenBy(second)) === '100', bound);

    console.log(
      `propagation with a ${REFRESH_MS} ms refresh: create ${createdMs.toFixed(0)} ms, ` +
        `patch ${patchedMs.toFixed(0)} ms, delete ${deletedMs.toFixed(0)} ms`,
    );
    expect(Math.max(createdMs, patchedMs, deletedMs)).toBeLessThan(bound);
  });

  it('counts the same caller on one shared counter across instances', async () => {
    const caller = tokenFor({ sub: `shared-${Date.now()}` });
    const remaining = [];
    for (const demo of [first, second, first, second]) {
      const response = await demo.request('GET', '/api/v1/widgets/1', { token: caller });
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['99', '98', '97', '96']);
  });

  it('applies an algorithm set over the admin API on the next request, on both instances', async () => {
    const gold = tokenFor({ sub: `gcra-${Date.now()}`, tierId: 1 });
    // The seeded rule for free callers on /widgets/{id}, which no other test here uses.
    const patched = await first.request('PATCH', '/api/v1/rate-limits/free_widget_read', {
      token: superuser,
      body: { limit: 2, period: 60, algorithm: 'gcra', burst: 1 },
    });
    expect([patched.status, await patched.json()]).toMatchObject([
      200,
      { algorithm: 'gcra', burst: 1 },
    ]);
    await msUntil(
      async () => {
        const seen = await second.request('GET', '/api/v1/widgets/1', {
          token: tokenFor({ sub: `probe-${Math.random()}`, tierId: 1 }),
        });
        return seen.headers.get('x-ratelimit-limit') === '2';
      },
      REFRESH_MS * 2 + 500,
    );
    // One request per 30 s, none saved up: one counter across both instances.
    const passed = await first.request('GET', '/api/v1/widgets/1', { token: gold });
    const refused = await second.request('GET', '/api/v1/widgets/2', { token: gold });
    // (No widget 1 in this database: a 404, counted like any answer.)
    expect(passed.status).not.toBe(429);
    expect(['remaining', 'reset'].map((h) => passed.headers.get(`x-ratelimit-${h}`))).toEqual([
      '0',
      '30',
    ]);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '30']);
  });

  // Last: it drops the database the others use.
  it('keeps serving the last known rules when the database goes away', async () => {
    const created = await first.request('POST', '/api/v1/rate-limits', {
      token: superuser,
      body: { name: 'pro_list_kept', tierId: 2, path: '/api/v1/widgets', limit: 1000, period: 60 },
    });
    expect(created.status).toBe(201);
    await msUntil(async () => (await limitSeenBy(second)) === '1000', REFRESH_MS * 2 + 500);
    // Dropping the database (WITH FORCE) cuts every connection: refreshes now fail.
    await database.drop();
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS * 3));
    for (const demo of [first, second]) {
      const response = await demo.request('GET', '/api/v1/widgets', { token: pro });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
    }
  });
});
