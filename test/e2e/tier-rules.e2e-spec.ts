import { RateLimitRuleCache } from 'nest-tier-rate-limit/rules';
import { QueryCounter } from '../support/query-counter.js';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

const superuser = tokenFor({ sub: 'admin', isSuperuser: true });
const limitOf = (response: Response) => response.headers.get('x-ratelimit-limit');
const remainingOf = (response: Response) => response.headers.get('x-ratelimit-remaining');

describe.each(adapters)('tier rules on %s', (adapter) => {
  let demo: RunningDemo;
  const queries = new QueryCounter();
  let user = 0;
  // A fresh user per test keeps counters apart; tiers 1 (free) and 2 (pro) come from the seed.
  const caller = (tierId: number) => tokenFor({ sub: `user-${adapter}-${(user += 1)}`, tierId });
  const get = (path: string, token?: string) => demo.request('GET', path, { token });

  beforeAll(async () => {
    demo = await startDemo(
      { DEFAULT_RATE_LIMIT_LIMIT: '3', RATE_LIMIT_RULES_REFRESH_MS: '3600000' },
      { adapter, databaseLogger: queries },
    );
  });
  afterAll(async () => {
    await demo.close();
  });

  it('gives a pro and a free user on the same path their own tier limits', async () => {
    expect(limitOf(await get('/api/v1/widgets/5', caller(2)))).toBe('200');
    expect(limitOf(await get('/api/v1/widgets/5', caller(1)))).toBe('20');
    expect(limitOf(await get('/api/v1/widgets/5'))).toBe('3');
    expect(limitOf(await get('/api/v1/widgets/5', tokenFor({ sub: 'no-tier' })))).toBe('3');
  });

  it('shares one counter across ids under a template rule', async () => {
    const free = caller(1);
    expect(remainingOf(await get('/api/v1/widgets/1', free))).toBe('19');
    expect(remainingOf(await get('/api/v1/widgets/2', free))).toBe('18');
    expect(remainingOf(await get('/api/v1/widgets/3?x=1', free))).toBe('17');
  });

  it('prefers a rule on the exact path over the template', async () => {
    const created = await demo.request('POST', '/api/v1/rate-limits', {
      token: superuser,
      body: {
        tierId: 1,
        path: '/api/v1/widgets/99',
        limit: 2,
        period: 30,
        name: `exact-${adapter}`,
      },
    });
    expect(created.status).toBe(201);
    const free = caller(1);
    const exact = await get('/api/v1/widgets/99', free);
    expect([limitOf(exact), remainingOf(exact)]).toEqual(['2', '1']);
    expect(remainingOf(await get('/api/v1/widgets/98', free))).toBe('19');
  });

  it('applies a PATCH on the next request and falls back to the defaults after a DELETE', async () => {
    const pro = caller(2);
    const rule = await demo.request('POST', '/api/v1/rate-limits', {
      token: superuser,
      body: {
        tierId: 2,
        path: '/api/v1/widgets',
        limit: 50,
        period: 60,
        name: `pro-list-${adapter}`,
      },
    });
    expect(rule.status).toBe(201);
    expect(limitOf(await get('/api/v1/widgets', pro))).toBe('50');
    const patched = await demo.request('PATCH', `/api/v1/rate-limits/pro-list-${adapter}`, {
      token: superuser,
      body: { limit: 7 },
    });
    expect(patched.status).toBe(200);
    expect(limitOf(await get('/api/v1/widgets', pro))).toBe('7');
    const deleted = await demo.request('DELETE', `/api/v1/rate-limits/pro-list-${adapter}`, {
      token: superuser,
    });
    expect(deleted.status).toBe(204);
    expect(limitOf(await get('/api/v1/widgets', pro))).toBe('3');
  });

  it("keeps a route's @RateLimited values when no rule of the caller's tier matches", async () => {
    const post = (token: string) =>
      demo.request('POST', '/api/v1/widgets', { token, body: { name: 'gear' } });
    expect(limitOf(await post(caller(2)))).toBe('20');
    const rule = await demo.request('POST', '/api/v1/rate-limits', {
      token: superuser,
      body: {
        tierId: 1,
        path: 'api_v1_widgets',
        limit: 10,
        period: 60,
        name: `free-create-${adapter}`,
      },
    });
    expect(rule.status).toBe(201);
    expect(limitOf(await post(caller(1)))).toBe('10');
    expect(limitOf(await post(caller(2)))).toBe('20');
    await demo.request('DELETE', `/api/v1/rate-limits/free-create-${adapter}`, {
      token: superuser,
    });
  });

  it('tries a shadow rule out beside the limits that apply, until it is enforced', async () => {
    const free = caller(1);
    const name = `shadow-${adapter}`;
    const created = await demo.request('POST', '/api/v1/rate-limits', {
      token: superuser,
      body: { tierId: 1, path: '/api/v1/widgets', limit: 1, period: 3600, name, mode: 'shadow' },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name, mode: 'shadow' });
    // The default (3 in this suite) still applies beside it, and the headers describe it alone.
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await get('/api/v1/widgets', free));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map(limitOf)).toEqual(['3', '3', '3', '3']);
    expect(answers.map(remainingOf)).toEqual(['2', '1', '0', '0']);
    const enforced = await demo.request('PATCH', `/api/v1/rate-limits/${name}`, {
      token: superuser,
      body: { mode: 'enforce' },
    });
    expect(enforced.status).toBe(200);
    // Enforced, it replaces the default for the tier: another caller gets 1 an hour.
    const other = caller(1);
    expect((await get('/api/v1/widgets', other)).status).toBe(200);
    const refused = await get('/api/v1/widgets', other);
    expect([refused.status, limitOf(refused)]).toEqual([429, '1']);
    const bad = await demo.request('PATCH', `/api/v1/rate-limits/${name}`, {
      token: superuser,
      body: { mode: 'dry-run' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('mode must be one of enforce, shadow');
    await demo.request('DELETE', `/api/v1/rate-limits/${name}`, { token: superuser });
  });

  it('checks the rules once for a burst of refresh calls (pub/sub messages, say)', async () => {
    const cache = demo.app.get(RateLimitRuleCache, { strict: false });
    await cache.refresh();
    queries.reset();
    await Promise.all(Array.from({ length: 50 }, () => cache.refresh()));
    // The first may have started at once; every later call shares the one queued behind it.
    const checks = queries.queries.filter((query) => query.includes('AS version'));
    expect(checks.length).toBeGreaterThanOrEqual(1);
    expect(checks.length).toBeLessThanOrEqual(2);
  });

  it('makes no database query on guarded requests in steady state', async () => {
    const pro = caller(2);
    const free = caller(1);
    await get('/api/v1/widgets/1', pro);
    queries.reset();
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        get(
          i % 3 === 0 ? `/api/v1/widgets/${i}` : '/api/v1/widgets',
          [pro, free, undefined][i % 3],
        ),
      ),
    );
    expect(responses.every((response) => limitOf(response) !== null)).toBe(true);
    expect(queries.queries).toEqual([]);
    // The counter does see queries: a read of the admin API makes some.
    await demo.request('GET', '/api/v1/tiers');
    expect(queries.queries.length).toBeGreaterThan(0);
  });
});
