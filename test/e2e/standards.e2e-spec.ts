import { parseList } from 'structured-headers';
import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';
import { storeOptions } from '../support/store-options.js';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';

/** A Structured Fields List as `[name, { param: value }]` pairs, for readable expectations. */
function items(field: string | null): Array<[unknown, Record<string, unknown>]> {
  if (field === null) throw new Error('field absent');
  return parseList(field).map(([value, params]) => [value, Object.fromEntries(params)]);
}

const statuses = async (count: number, send: () => Promise<Response>) => {
  const received: number[] = [];
  for (let i = 0; i < count; i += 1) received.push((await send()).status);
  return received;
};

describe.each(adapters)('standard headers and problem details on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('ietf: RateLimit-Policy and RateLimit, one item per policy, no legacy headers', async () => {
    t = await startTestApp(adapter, { headers: 'ietf' });
    const first = await t.get('/api/policies/windows');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBeNull();
    expect(items(first.headers.get('ratelimit-policy'))).toEqual([
      ['route_2s', { q: 2, w: 2 }],
      ['route_3600s', { q: 5, w: 3600 }],
    ]);
    const state = items(first.headers.get('ratelimit'));
    expect(state.map(([name, { r }]) => [name, r])).toEqual([
      ['route_2s', 1],
      ['route_3600s', 4],
    ]);
    expect(state[1][1].t).toBeGreaterThan(3590);
    await t.get('/api/policies/windows');
    const refused = await t.get('/api/policies/windows');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(items(refused.headers.get('ratelimit'))[0]).toEqual([
      'route_2s',
      { r: 0, t: expect.any(Number) },
    ]);
  });

  it('names a route without @RateLimited `default`, and the module total `total`', async () => {
    t = await startTestApp(adapter, {
      headers: 'both',
      defaultTotalLimit: 9,
      defaultTotalPeriod: 60,
    });
    const answer = await t.get('/api/guarded');
    expect(answer.headers.get('x-ratelimit-limit')).toBe('9');
    expect(items(answer.headers.get('ratelimit-policy'))).toEqual([
      ['default', { q: 100, w: 60 }],
      ['total', { q: 9, w: 60 }],
    ]);
  });

  it('none: no rate-limit headers, but Retry-After on every 429', async () => {
    t = await startTestApp(adapter, { headers: 'none' });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await t.get('/api/things/strict'));
    for (const answer of answers) {
      expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
      expect(answer.headers.get('ratelimit')).toBeNull();
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[0].headers.get('retry-after')).toBeNull();
    expect(Number(answers[2].headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('problem details: a 429 as application/problem+json naming the violated policy', async () => {
    t = await startTestApp(adapter, { problemDetails: true });
    await statuses(2, () => t!.get('/api/policies/windows'));
    const refused = await t.get('/api/policies/windows');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(await refused.json()).toEqual({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      title: 'Request cannot be satisfied as assigned quota has been exceeded',
      status: 429,
      detail: `Rate limit exceeded. Try again in ${seconds} seconds.`,
      'violated-policies': ['route_2s'],
    });
    // Answers that pass keep their own content type.
    const other = await t.get('/api/things');
    expect(other.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('problem details failing closed: a type of its own, Retry-After still set', async () => {
    t = await startTestApp(adapter, {
      problemDetails: true,
      store: 'redis',
      redis: { url: 'redis://127.0.0.1:1/0', connectTimeoutMs: 100 },
      failureMode: 'closed',
      timeoutMs: 100,
    });
    const refused = await t.get('/api/things');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      type: 'tag:nest-tier-rate-limit,2026:precautionary-denial',
      title: 'Access denied as a precaution',
      status: 429,
      detail: 'Access denied as a precaution',
    });
  });

  it.each(['none', 'ietf'] as const)(
    'headers: %s also after a settled answer (count: failed)',
    async (mode) => {
      t = await startTestApp(adapter, { headers: mode });
      const first = await t.get('/api/policies/login?ok=1');
      const second = await t.get('/api/policies/login?ok=1');
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.headers.get('x-ratelimit-limit')).toBeNull();
      if (mode === 'none') expect(second.headers.get('ratelimit')).toBeNull();
      // A success gives its unit back: both left, as the interceptor rewrote it.
      else expect(items(second.headers.get('ratelimit'))).toEqual([['route', { r: 2, t: 60 }]]);
    },
  );

  it('keeps the default body without problem details', async () => {
    t = await startTestApp(adapter, {});
    await statuses(2, () => t!.get('/api/things/strict'));
    const refused = await t.get('/api/things/strict');
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({
      statusCode: 429,
      message: `Rate limit exceeded. Try again in ${refused.headers.get('retry-after')} seconds.`,
    });
  });
});

describe.each(adapters)('shadow mode on %s', (adapter) => {
  describe.each(storeOptions)('with the %s store', (_name, options) => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('a shadow limit alone counts and reports, and never refuses', async () => {
      t = await startTestApp(adapter, { ...options(), headers: 'both' });
      const answers = [];
      for (let i = 0; i < 5; i += 1) answers.push(await t.get('/api/shadow/alone'));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.map((answer) => answer.headers.get('x-ratelimit-remaining'))).toEqual([
        '1',
        '0',
        '0',
        '0',
        '0',
      ]);
      expect(answers[4].headers.get('retry-after')).toBeNull();
      expect(items(answers[4].headers.get('ratelimit'))).toEqual([
        ['route', { r: 0, t: expect.any(Number) }],
      ]);
    });

    it('a shadow limit beside an enforced one: only the enforced one refuses or shows', async () => {
      t = await startTestApp(adapter, { ...options(), headers: 'both' });
      const answers = [];
      for (let i = 0; i < 6; i += 1) answers.push(await t.get('/api/shadow/beside'));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
      // The headers describe the enforced limit: a client never slows down for a shadow one.
      expect(answers.map((answer) => answer.headers.get('x-ratelimit-remaining'))).toEqual([
        '3',
        '2',
        '1',
        '0',
        '0',
        '0',
      ]);
      expect(items(answers[3].headers.get('ratelimit-policy'))).toEqual([
        ['route_3600s', { q: 4, w: 3600 }],
      ]);
    });

    it('RATE_LIMITER_SHADOW (shadow: true): nothing refuses, even over every limit', async () => {
      t = await startTestApp(adapter, { ...options(), shadow: true });
      expect(await statuses(4, () => t!.get('/api/things/strict'))).toEqual([200, 200, 200, 200]);
      expect(await statuses(7, () => t!.get('/api/shadow/beside'))).toEqual(
        Array<number>(7).fill(200),
      );
    });
  });
});

describe.each(adapters)('the demo with RATE_LIMITER_HEADERS=ietf on %s', (adapter) => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo(
      { RATE_LIMITER_HEADERS: 'ietf', RATE_LIMITER_PROBLEM_DETAILS: 'true' },
      { adapter },
    );
  });
  afterAll(async () => {
    await demo.close();
  });

  it("names an operator rule's policy after the rule, and never the caller", async () => {
    const token = tokenFor({ sub: `ietf-${adapter}`, tierId: 1 });
    const answer = await demo.request('GET', '/api/v1/widgets/1', { token });
    const policy = answer.headers.get('ratelimit-policy');
    expect(items(policy)).toEqual([['free_widget_read', { q: 20, w: 60 }]]);
    expect(`${policy}${answer.headers.get('ratelimit')}`).not.toContain(`ietf-${adapter}`);
  });
});
