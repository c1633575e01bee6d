import { parseList } from 'structured-headers';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const [memcachedHost, memcachedPort] = (process.env.MEMCACHED_LOCATION ?? '127.0.0.1:11211').split(
  ':',
);
const backends: [string, Record<string, string>][] = [
  ['memory', { RATE_LIMITER_BACKEND: 'memory' }],
  ['redis', { RATE_LIMITER_BACKEND: 'redis', RATE_LIMITER_REDIS_URL: redisUrl }],
  [
    'memcached',
    {
      RATE_LIMITER_BACKEND: 'memcached',
      RATE_LIMITER_MEMCACHED_HOST: memcachedHost,
      RATE_LIMITER_MEMCACHED_PORT: memcachedPort,
    },
  ],
];

interface Counter {
  name: string;
  limit: number;
  algorithm: string;
  keyPath: string;
  key: string;
  count: number | null;
  remaining: number | null;
  resetSeconds: number | null;
  readError: string | null;
}
interface Counters {
  caller: string;
  tierId: number | null;
  route: { method: string; template: string } | null;
  limited: boolean;
  reason: string | null;
  policies: Counter[];
}

const superuser = tokenFor({ sub: 'admin', isSuperuser: true });

/** `RateLimit` as the units left per policy, in the guard's order. */
const remainingField = (response: Response): unknown[] =>
  parseList(response.headers.get('ratelimit') ?? '').map(([, params]): unknown => params.get('r'));

describe.each(adapters)('/rate-limit-counters on %s', (adapter) => {
  describe.each(backends)('with the %s store', (store, env) => {
    let demo: RunningDemo;
    let made = 0;
    const run = `${adapter}-${store}-${Date.now()}`;
    const fresh = () => `counters-${run}-${(made += 1)}`;

    const counters = (method: 'GET' | 'DELETE', query: Record<string, string>, token = superuser) =>
      demo.request(method, `/api/v1/rate-limit-counters?${new URLSearchParams(query).toString()}`, {
        token,
      });
    const read = async (query: Record<string, string>) => {
      const response = await counters('GET', query);
      expect(response.status).toBe(200);
      return (await response.json()) as Counters;
    };
    const requests = async (count: number, path: string, token?: string) => {
      let last: Response | undefined;
      for (let i = 0; i < count; i += 1) last = await demo.request('GET', path, { token });
      return last!;
    };
    /** A tier of its own with these rules. */
    const tierWith = async (rules: Record<string, unknown>[]) => {
      const tier = await demo.request('POST', '/api/v1/tiers', {
        token: superuser,
        body: { name: fresh() },
      });
      expect(tier.status).toBe(201);
      const { id } = (await tier.json()) as { id: number };
      for (const rule of rules) {
        const created = await demo.request('POST', '/api/v1/rate-limits', {
          token: superuser,
          body: { tierId: id, ...rule },
        });
        expect(created.status).toBe(201);
      }
      return id;
    };

    beforeAll(async () => {
      demo = await startDemo(
        {
          ...env,
          DEFAULT_RATE_LIMIT_LIMIT: '50',
          RATE_LIMITER_HEADERS: 'both',
          RATE_LIMIT_RULES_REFRESH_MS: '3600000',
        },
        { adapter },
      );
    });
    afterAll(async () => {
      await demo.close();
    });

    it('reads N requests without counting, resets them, and the limit is whole again', async () => {
      const sub = fresh();
      const token = tokenFor({ sub, tierId: 1 });
      const query = { caller: `user:${sub}`, path: '/api/v1/widgets/3', tierId: '1' };
      const last = await requests(4, '/api/v1/widgets/1', token);
      const key = `ratelimit:{user:${sub}}:api_v1_widgets_{id}`;
      const first = await read(query);
      expect(first).toMatchObject({
        caller: `user:${sub}`,
        tierId: 1,
        route: { method: 'GET', template: '/api/v1/widgets/:id' },
        limited: true,
        reason: null,
      });
      expect(first.policies).toEqual([
        expect.objectContaining({
          name: 'free_widget_read',
          keyPath: 'api_v1_widgets_{id}',
          key,
          count: 4,
          remaining: 16,
          readError: null,
        }),
      ]);
      expect(first.policies[0].resetSeconds).toBeGreaterThan(0);
      expect(first.policies[0].resetSeconds).toBeLessThanOrEqual(60);
      expect(remainingField(last)).toEqual([16]);
      // Reading twice counts nothing: the next request is the fifth.
      expect((await read(query)).policies[0].count).toBe(4);
      expect(remainingField(await requests(1, '/api/v1/widgets/2', token))).toEqual([15]);

      const reset = await counters('DELETE', query);
      expect(reset.status).toBe(200);
      expect(await reset.json()).toMatchObject({ caller: `user:${sub}`, reset: [key] });
      expect((await read(query)).policies[0]).toMatchObject({ count: 0, remaining: 20 });
      const after = await requests(1, '/api/v1/widgets/1', token);
      expect(after.headers.get('x-ratelimit-remaining')).toBe('19');
    });

    it('reads every policy of a request: a rule per algorithm and the tier total', async () => {
      const tierId = await tierWith([
        { path: '/api/v1/widgets/{id}', limit: 10, period: 60, algorithm: 'gcra', burst: 5 },
        { path: '/api/v1/widgets', limit: 8, period: 600, algorithm: 'sliding-window' },
        { path: '*', limit: 30, period: 3600 },
      ]);
      const sub = fresh();
      const token = tokenFor({ sub, tierId });
      const one = await requests(3, '/api/v1/widgets/1', token);
      const list = await requests(2, '/api/v1/widgets', token);
      const ofOne = await read({
        caller: `user:${sub}`,
        path: '/api/v1/widgets/9',
        tierId: `${tierId}`,
      });
      expect(
        ofOne.policies.map(({ algorithm, keyPath, count, remaining }) => [
          algorithm,
          keyPath,
          count,
          remaining,
        ]),
      ).toEqual([
        ['gcra', 'api_v1_widgets_{id}', 3, 2],
        ['fixed-window', '*', 5, 25],
      ]);
      expect(remainingField(one)).toEqual([2, 27]);
      const ofList = await read({
        caller: `user:${sub}`,
        path: '/api/v1/widgets',
        tierId: `${tierId}`,
      });
      expect(ofList.policies.map(({ count, remaining }) => [count, remaining])).toEqual([
        [2, 6],
        [5, 25],
      ]);
      expect(remainingField(list)).toEqual([6, 25]);
      expect(ofList.policies.every(({ readError }) => readError === null)).toBe(true);
      // Still nothing counted by the reads.
      expect(remainingField(await requests(1, '/api/v1/widgets', token))).toEqual([5, 24]);

      const reset = await counters('DELETE', {
        caller: `user:${sub}`,
        path: '/api/v1/widgets',
        tierId: `${tierId}`,
      });
      expect(((await reset.json()) as { reset: string[] }).reset).toEqual([
        `ratelimit:{user:${sub}}:api_v1_widgets`,
        `ratelimit:{user:${sub}}:*`,
      ]);
      // The total is reset for every path; the gcra rule of /widgets/{id} is not.
      const again = await read({
        caller: `user:${sub}`,
        path: '/api/v1/widgets/9',
        tierId: `${tierId}`,
      });
      expect(again.policies.map(({ count }) => count)).toEqual([3, 0]);
    });

    it("reads an anonymous caller's counter by its address", async () => {
      // An id of its own: other suites count 127.0.0.1 on the shared Redis and Memcached too.
      const id = Date.now() + made++;
      const path = `/api/v1/widgets/${id}`;
      const query = { caller: 'ip:127.0.0.1', path };
      const before = (await read(query)).policies[0];
      expect(before).toMatchObject({
        key: `ratelimit:{ip:127.0.0.1}:api_v1_widgets_${id}#GET@api_v1_widgets_{id}`,
        limit: 50,
        count: 0,
      });
      const answers = [await requests(1, path), await requests(1, path)];
      const after = (await read(query)).policies[0];
      expect(after).toMatchObject({ count: 2, remaining: 48 });
      expect(answers[1].headers.get('x-ratelimit-remaining')).toBe('48');
    });

    it('groups an IPv6 caller by the module subnet, as the guard keys it', async () => {
      const { policies } = await read({
        caller: 'ip:2001:db8:1:2:aaaa::1',
        path: '/api/v1/widgets',
      });
      expect(policies[0]).toMatchObject({
        key: 'ratelimit:{ip:2001:db8:1:2::/64}:api_v1_widgets#GET',
        count: 0,
      });
      const subnet = await read({ caller: 'ip:2001:db8:1:2::/64', path: '/api/v1/widgets' });
      expect(subnet.policies[0].key).toBe(policies[0].key);
    });

    it('answers a path no route serves with no counters, and resets none', async () => {
      const query = { caller: 'user:nobody', path: '/api/v1/nowhere' };
      expect(await read(query)).toMatchObject({
        route: null,
        limited: false,
        reason: 'no-route',
        policies: [],
      });
      const reset = await counters('DELETE', query);
      expect(reset.status).toBe(200);
      expect(await reset.json()).toMatchObject({ reset: [] });
    });

    it('needs a superuser, for reads and resets alike', async () => {
      const query = { caller: 'user:1', path: '/api/v1/widgets' };
      for (const method of ['GET', 'DELETE'] as const) {
        const anonymous = await demo.request(
          method,
          `/api/v1/rate-limit-counters?${new URLSearchParams(query).toString()}`,
        );
        expect(anonymous.status).toBe(401);
        const user = await counters(method, query, tokenFor({ sub: 'u', tierId: 2 }));
        expect(user.status).toBe(403);
      }
    });

    it.each([
      [{ path: '/api/v1/widgets' }, 'caller must be a string'],
      [{ caller: 'user:1' }, 'path must be a string'],
      [{ caller: 'bob', path: '/api/v1/widgets' }, 'caller must be user:<id> or ip:<address>'],
      [
        { caller: 'user:', path: '/x' },
        expect.stringMatching(/^caller must be user:<id> or ip:<address>: a user id of 1 to/),
      ],
      [
        { caller: 'ip:300.1.1.1', path: '/x' },
        expect.stringMatching(/^caller must be .*"300\.1\.1\.1" is no IPv4 or IPv6 address$/),
      ],
      [
        { caller: 'ip:2001:db8::/48', path: '/x' },
        expect.stringMatching(/^caller groups IPv6 by \/48, the limiter by \/64/),
      ],
      [
        { caller: 'ip:10.0.0.1', path: '/x', tierId: '1' },
        'tierId goes with a user caller only: ip callers have no tier',
      ],
      [{ caller: 'user:1', path: '/x', tierId: 'x' }, 'tierId must be an integer number'],
      [
        { caller: 'user:1', path: '/x', method: 'FETCH' },
        expect.stringMatching(/^method must be one of/),
      ],
      [{ caller: 'user:1', path: '/x', who: 'me' }, 'property who should not exist'],
    ])('refuses %j with a 400 naming the field', async (query, message) => {
      for (const method of ['GET', 'DELETE'] as const) {
        const response = await counters(method, query);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { message: unknown[] }).message).toContainEqual(message);
      }
    });
  });
});

describe.each(adapters)('/rate-limit-counters on %s with the store down', (adapter) => {
  let demo: RunningDemo;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis call fails at once (no offline queue).
    demo = await startDemo(
      { RATE_LIMITER_BACKEND: 'redis', RATE_LIMITER_REDIS_URL: 'redis://127.0.0.1:1/0' },
      { adapter },
    );
  });
  afterAll(async () => {
    await demo.close();
  });

  it('answers 503 naming the store, for reads and resets, while explanations still answer', async () => {
    const query = new URLSearchParams({ caller: 'user:1', path: '/api/v1/widgets' });
    for (const method of ['GET', 'DELETE']) {
      const response = await demo.request(
        method,
        `/api/v1/rate-limit-counters?${query.toString()}`,
        {
          token: superuser,
        },
      );
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        statusCode: 503,
        message: 'The redis rate-limit store cannot be reached; try again later',
      });
    }
    const explained = await demo.request('GET', '/api/v1/rate-limit-policies?path=/api/v1/widgets');
    expect(explained.status).toBe(200);
  });
});
