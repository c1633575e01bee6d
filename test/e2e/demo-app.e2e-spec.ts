import jwt from 'jsonwebtoken';
import { createApp } from '../../src/create-app.js';
import { type RunningDemo, startDemo, TEST_JWT_SECRET } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

const env = { DEFAULT_RATE_LIMIT_LIMIT: '3', DEFAULT_RATE_LIMIT_PERIOD: '60' };

const bearer = (claims: object, options: jwt.SignOptions = {}) => ({
  authorization: `Bearer ${jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', ...options })}`,
});

describe.each(adapters)('demo API on %s', (adapter) => {
  let demo: RunningDemo;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${demo.url}${path}`, { headers });

  beforeEach(async () => {
    demo = await startDemo(env, { adapter });
  });
  afterEach(async () => {
    await demo.close();
  });

  it('reports health without rate limiting it', async () => {
    for (let i = 0; i < 5; i += 1) {
      const response = await get('/api/v1/health');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBeNull();
      expect(await response.json()).toEqual({
        status: 'ok',
        rateLimitStore: { backend: 'memory', status: 'up' },
        database: { status: 'up' },
      });
    }
  });

  it('limits widgets with the configured defaults, per path', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await get('/api/v1/widgets')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const one = await get('/api/v1/widgets/1');
    expect(one.status).toBe(404);
    expect(one.headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('creates widgets through the validation pipe', async () => {
    const post = (body: unknown) =>
      fetch(`${demo.url}/api/v1/widgets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post({ name: 'gear' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-ratelimit-limit')).toBe('20');
    const { id } = (await created.json()) as { id: number };
    expect(await (await get(`/api/v1/widgets/${id}`)).json()).toEqual({ id, name: 'gear' });
    const unknownField = await post({ name: 'x', colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(await unknownField.json())).toContain('colour');
    const badName = await post({ name: 42 });
    expect(badName.status).toBe(400);
    expect(JSON.stringify(await badName.json())).toContain('name');
  });

  it('counts an authenticated user apart from the IP and from other users', async () => {
    const alice = bearer({ sub: 'alice', tierId: 1 });
    for (let i = 0; i < 3; i += 1) expect((await get('/api/v1/widgets', alice)).status).toBe(200);
    expect((await get('/api/v1/widgets', alice)).status).toBe(429);
    const bob = await get('/api/v1/widgets', bearer({ sub: 42 }));
    expect(bob.headers.get('x-ratelimit-remaining')).toBe('2');
    expect((await get('/api/v1/widgets')).headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('answers 401 to a bad or expired token rather than treating it as anonymous', async () => {
    const expired = bearer({ sub: 'a', exp: Math.floor(Date.now() / 1000) - 10 });
    const forged = { authorization: `Bearer ${jwt.sign({ sub: 'a' }, 'another-secret-entirely')}` };
    for (const headers of [expired, forged, { authorization: 'Bearer not-a-jwt' }]) {
      const response = await get('/api/v1/widgets', headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });
});

describe('demo API configuration', () => {
  it('refuses to start with invalid variables, one line naming each', async () => {
    const started = createApp({ RATE_LIMITER_BACKEND: 'redsi', PORT: 'abc' }, { logger: false });
    await expect(started).rejects.toThrow(
      /^PORT must be .*\(got "abc"\)\nRATE_LIMITER_BACKEND must be one of: memory, redis, memcached \(got "redsi"\)$/,
    );
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    await expect(createApp({ NODE_ENV: 'production' }, { logger: false })).rejects.toThrow(
      'JWT_SECRET is required when NODE_ENV=production',
    );
  });
});
