import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const memcachedLocation = (process.env.MEMCACHED_LOCATION ?? '127.0.0.1:11211').split(':');
const backends: [string, Record<string, string>][] = [
  ['memory', { RATE_LIMITER_BACKEND: 'memory' }],
  ['redis', { RATE_LIMITER_BACKEND: 'redis', RATE_LIMITER_REDIS_URL: redisUrl }],
  [
    'memcached',
    {
      RATE_LIMITER_BACKEND: 'memcached',
      RATE_LIMITER_MEMCACHED_HOST: memcachedLocation[0],
      RATE_LIMITER_MEMCACHED_PORT: memcachedLocation[1],
    },
  ],
];
const superuser = tokenFor({ sub: 'admin', isSuperuser: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(adapters)('operator rules deciding several limits at once on %s', (adapter) => {
  describe.each(backends)('with the %s store', (store, env) => {
    let demo: RunningDemo;
    let tiers = 0;
    const run = `${adapter}-${store}-${Date.now()}`;

    /** A tier of its own with these rules, and a token of a fresh user in it. */
    const tierWith = async (rules: { path: string; limit: number; period: number }[]) => {
      const tier = await demo.request('POST', '/api/v1/tiers', {
        token: superuser,
        body: { name: `t-${run}-${(tiers += 1)}` },
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
      return tokenFor({ sub: `user-${run}-${tiers}`, tierId: id });
    };
    const answers = async (count: number, path: string, token: string) => {
      const received: Response[] = [];
      for (let i = 0; i < count; i += 1) received.push(await demo.request('GET', path, { token }));
      return received;
    };
    /** Sleeps as long as a 429 said: its Retry-After, whole seconds rounded up. */
    const waitOut = (refused: Response) =>
      sleep(Number(refused.headers.get('retry-after')) * 1000 + 50);

    beforeAll(async () => {
      demo = await startDemo(
        { ...env, DEFAULT_RATE_LIMIT_LIMIT: '100', RATE_LIMIT_RULES_REFRESH_MS: '3600000' },
        { adapter },
      );
    });
    afterAll(async () => {
      await demo.close();
    });

    it('two rules of one path, burst and sustained: the sustained one never counts a refusal', async () => {
      // 2 s: a Memcached window ends on a whole second, so it lasts between 1 and 2 s.
      const token = await tierWith([
        { path: '/api/v1/widgets', limit: 2, period: 2 },
        { path: '/api/v1/widgets', limit: 5, period: 3600 },
      ]);
      const first = await answers(12, '/api/v1/widgets', token);
      expect(first.map((answer) => answer.status)).toEqual([
        200,
        200,
        ...Array<number>(10).fill(429),
      ]);
      await waitOut(first[11]);
      const second = await answers(3, '/api/v1/widgets', token);
      expect(second.map((answer) => answer.status)).toEqual([200, 200, 429]);
      await waitOut(second[2]);
      const fifth = await demo.request('GET', '/api/v1/widgets', { token });
      expect(fifth.status).toBe(200);
      const sixth = await demo.request('GET', '/api/v1/widgets', { token });
      expect(sixth.status).toBe(429);
      expect(sixth.headers.get('x-ratelimit-limit')).toBe('5');
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(3500);
    });

    it("a tier's total budget (path *): enumerating ids spends one budget across routes", async () => {
      const token = await tierWith([{ path: '*', limit: 3, period: 60 }]);
      const answers = [];
      for (const path of [
        '/api/v1/widgets/1',
        '/api/v1/widgets/2',
        '/api/v1/widgets',
        '/api/v1/widgets/3',
      ])
        answers.push(await demo.request('GET', path, { token }));
      expect(answers.map((answer) => answer.status === 429)).toEqual([false, false, false, true]);
      expect(answers[3].headers.get('x-ratelimit-limit')).toBe('3');
      // The route's own limit (the default, 100) still applies beside it: the fewest left is shown.
      expect(answers[0].headers.get('x-ratelimit-remaining')).toBe('2');
    });
  });
});
