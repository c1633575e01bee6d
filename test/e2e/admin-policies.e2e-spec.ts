import { parseList } from 'structured-headers';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** The body of `GET /api/v1/rate-limit-policies`, as far as these tests read it. */
interface Explanation {
  method: string;
  path: string;
  tierId: number | null;
  route: { method: string; template: string } | null;
  limited: boolean;
  reason: string | null;
  policies: {
    name: string;
    source: string;
    limit: number;
    period: number;
    algorithm: string;
    burst: number | null;
    mode: string;
    keyPath: string;
  }[];
}

const superuser = tokenFor({ sub: 'admin', isSuperuser: true });

/** `RateLimit-Policy` as `[name, quota, window]` per policy, in the guard's order. */
function policyField(response: Response): [unknown, unknown, unknown][] {
  const field = response.headers.get('ratelimit-policy');
  if (field === null) return [];
  return parseList(field).map(([name, params]) => [name, params.get('q'), params.get('w')]);
}

describe.each(adapters)('GET /rate-limit-policies on %s', (adapter) => {
  let demo: RunningDemo;
  let users = 0;
  const run = `${adapter}-${Date.now()}`;
  const token = (tierId?: number) => tokenFor({ sub: `policies-${run}-${(users += 1)}`, tierId });

  const explain = async (query: Record<string, string>) => {
    const response = await demo.request(
      'GET',
      `/api/v1/rate-limit-policies?${new URLSearchParams(query).toString()}`,
    );
    return { status: response.status, body: (await response.json()) as Explanation };
  };
  /** What the guard then does with the same request: its `RateLimit-Policy` items. */
  const expectGuardToAgree = async (
    explanation: Explanation,
    send: () => Promise<Response>,
  ): Promise<Response> => {
    const answer = await send();
    // The headers leave shadow policies out beside enforced ones.
    const enforced = explanation.policies.filter(({ mode }) => mode === 'enforce');
    const shown = enforced.length > 0 ? enforced : explanation.policies;
    expect(policyField(answer)).toEqual(
      shown.map(({ name, limit, period }) => [name, limit, period]),
    );
    return answer;
  };
  const createRule = async (body: Record<string, unknown>) => {
    const created = await demo.request('POST', '/api/v1/rate-limits', { token: superuser, body });
    expect(created.status).toBe(201);
  };
  const createTier = async () => {
    const created = await demo.request('POST', '/api/v1/tiers', {
      token: superuser,
      body: { name: `p-${run}-${(users += 1)}` },
    });
    expect(created.status).toBe(201);
    return ((await created.json()) as { id: number }).id;
  };

  beforeAll(async () => {
    demo = await startDemo(
      {
        DEFAULT_RATE_LIMIT_LIMIT: '7',
        DEFAULT_RATE_LIMIT_PERIOD: '90',
        RATE_LIMITER_HEADERS: 'both',
        RATE_LIMIT_RULES_REFRESH_MS: '3600000',
      },
      { adapter },
    );
  });
  afterAll(async () => {
    await demo.close();
  });

  it('explains an anonymous caller: the defaults, on a counter of its own path and route', async () => {
    const { status, body } = await explain({ path: '/api/v1/widgets/42' });
    expect(status).toBe(200);
    expect(body).toEqual({
      method: 'GET',
      path: '/api/v1/widgets/42',
      tierId: null,
      route: { method: 'GET', template: '/api/v1/widgets/:id' },
      limited: true,
      reason: null,
      policies: [
        {
          name: 'default',
          source: 'default',
          limit: 7,
          period: 90,
          algorithm: 'fixed-window',
          burst: null,
          mode: 'enforce',
          keyPath: 'api_v1_widgets_42#GET@api_v1_widgets_{id}',
        },
      ],
    });
    const answer = await expectGuardToAgree(body, () => demo.request('GET', '/api/v1/widgets/42'));
    expect(answer.headers.get('x-ratelimit-limit')).toBe('7');
  });

  it("explains a tier's rule on the route template: one counter for every id", async () => {
    const { body } = await explain({ path: '/api/v1/widgets/0042?page=2', tierId: '1' });
    expect(body).toMatchObject({
      path: '/api/v1/widgets/0042',
      tierId: 1,
      limited: true,
      policies: [
        {
          name: 'free_widget_read',
          source: 'rule',
          limit: 20,
          period: 60,
          mode: 'enforce',
          keyPath: 'api_v1_widgets_{id}',
        },
      ],
    });
    const free = token(1);
    await expectGuardToAgree(body, () =>
      demo.request('GET', '/api/v1/widgets/42', { token: free }),
    );
  });

  it("explains a tier's total budget (*) beside the route's own limit", async () => {
    const tierId = await createTier();
    await createRule({ tierId, path: '*', limit: 3, period: 60, name: `total-${run}` });
    const { body } = await explain({ path: '/api/v1/widgets', tierId: String(tierId) });
    expect(body.policies).toEqual([
      expect.objectContaining({
        name: 'default',
        source: 'default',
        limit: 7,
        keyPath: 'api_v1_widgets#GET',
      }),
      expect.objectContaining({ name: `total-${run}`, source: 'rule', limit: 3, keyPath: '*' }),
    ]);
    const answer = await expectGuardToAgree(body, () =>
      demo.request('GET', '/api/v1/widgets', { token: token(tierId) }),
    );
    // The legacy headers describe the policy with the fewest requests left: the total.
    expect(answer.headers.get('x-ratelimit-limit')).toBe('3');
  });

  it("explains a POST by the route's @RateLimited when the tier has no rule for it", async () => {
    const { body } = await explain({ path: '/api/v1/widgets', method: 'POST', tierId: '2' });
    expect(body).toMatchObject({
      route: { method: 'POST', template: '/api/v1/widgets' },
      policies: [
        { name: 'route', source: 'route', limit: 20, period: 60, keyPath: 'api_v1_widgets#POST' },
      ],
    });
    const post = () =>
      demo.request('POST', '/api/v1/widgets', { token: token(2), body: { name: 'gear' } });
    await expectGuardToAgree(body, post);
  });

  it('explains a shadow rule as shadow beside the default it leaves in force', async () => {
    const tierId = await createTier();
    const name = `shadow-${run}`;
    await createRule({
      tierId,
      path: '/api/v1/widgets/{id}',
      limit: 1,
      period: 600,
      name,
      mode: 'shadow',
    });
    const { body } = await explain({ path: '/api/v1/widgets/5', tierId: String(tierId) });
    expect(body.policies).toEqual([
      expect.objectContaining({
        name,
        source: 'rule',
        limit: 1,
        mode: 'shadow',
        keyPath: 'api_v1_widgets_{id}',
      }),
      expect.objectContaining({ name: 'default', source: 'default', mode: 'enforce' }),
    ]);
    const caller = token(tierId);
    await expectGuardToAgree(body, () =>
      demo.request('GET', '/api/v1/widgets/5', { token: caller }),
    );
    // Over the shadow limit of 1 (one counter for all ids), not refused; the headers describe
    // the default, one counter per id.
    const second = await demo.request('GET', '/api/v1/widgets/6', { token: caller });
    expect(second.status).not.toBe(429);
    const { limit } = body.policies[1];
    expect(second.headers.get('x-ratelimit-remaining')).toBe(String(limit - 1));
  });

  it('explains a HEAD request by the GET route it reaches', async () => {
    const { body } = await explain({ path: '/api/v1/widgets/9', method: 'HEAD' });
    expect(body).toMatchObject({
      method: 'HEAD',
      route: { method: 'GET', template: '/api/v1/widgets/:id' },
    });
    await expectGuardToAgree(body, () => demo.request('HEAD', '/api/v1/widgets/9'));
  });

  it('says a route without the guard is not limited, and the guard indeed sends no headers', async () => {
    const { body } = await explain({ path: '/api/v1/health' });
    expect(body).toEqual({
      method: 'GET',
      path: '/api/v1/health',
      tierId: null,
      route: { method: 'GET', template: '/api/v1/health' },
      limited: false,
      reason: 'not-guarded',
      policies: [],
    });
    const answer = await demo.request('GET', '/api/v1/health');
    expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('follows the router on letter case: Express ignores it, Fastify does not', async () => {
    const { body } = await explain({ path: '/api/v1/WIDGETS/1' });
    const answer = await demo.request('GET', '/api/v1/WIDGETS/1');
    if (adapter === 'express') {
      expect(body.route).toEqual({ method: 'GET', template: '/api/v1/widgets/:id' });
      expect(body.policies[0].keyPath).toBe('api_v1_widgets_1#GET@api_v1_widgets_{id}');
      expect(policyField(answer)).toEqual([['default', 7, 90]]);
    } else {
      expect(body).toMatchObject({ route: null, reason: 'no-route' });
      expect(answer.status).toBe(404);
    }
  });

  it('answers a path no route serves with 200, route null and reason no-route', async () => {
    const { status, body } = await explain({ path: '/api/v1/nothing/here', tierId: '2' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ route: null, limited: false, reason: 'no-route', policies: [] });
    expect((await demo.request('GET', '/api/v1/nothing/here')).status).toBe(404);
    const wrongMethod = await explain({ path: '/api/v1/widgets/1', method: 'DELETE' });
    expect(wrongMethod.body).toMatchObject({ route: null, reason: 'no-route' });
  });

  it.each([
    [{ path: '/api/v1/widgets', extra: '1' }, 'property extra should not exist'],
    [{}, 'path must be a string'],
    [
      { path: 'api/v1/widgets' },
      'path must be a URL path starting with "/", without spaces or control characters',
    ],
    [{ path: '/api/v1/%E0%A4%A' }, 'path must not hold a malformed percent-encoding'],
    [{ path: '/api/v1/widgets', tierId: 'pro' }, 'tierId must be an integer number'],
    [{ path: '/api/v1/widgets', tierId: '0' }, 'tierId must not be less than 1'],
    [{ path: '/api/v1/widgets', tierId: '1.5' }, 'tierId must be an integer number'],
    [
      { path: '/api/v1/widgets', method: 'get' },
      expect.stringMatching(/^method must be one of GET, POST/),
    ],
    [{ path: '/api/v1/widgets', method: 'ALL' }, expect.stringMatching(/^method must be one of/)],
  ])('refuses %j with a 400 naming the field', async (query, message) => {
    const { status, body } = await explain(query);
    expect(status).toBe(400);
    expect((body as unknown as { message: unknown }).message).toContainEqual(message);
  });

  it("is in the demo's OpenAPI document, the counters as superuser routes", async () => {
    const document = (await (await demo.request('GET', '/api/docs-json')).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string }[]; security?: unknown }>>;
    };
    const explain = document.paths['/api/v1/rate-limit-policies'].get;
    expect(explain.parameters.map(({ name }) => name)).toEqual(['path', 'tierId', 'method']);
    expect(explain.security).toBeUndefined();
    const counters = document.paths['/api/v1/rate-limit-counters'];
    expect(Object.keys(counters).sort()).toEqual(['delete', 'get']);
    expect(counters.get.security).toEqual([{ bearer: [] }]);
  });

  it('refuses a repeated path with a 400', async () => {
    const response = await demo.request('GET', '/api/v1/rate-limit-policies?path=/a&path=/b');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string[] }).message).toContain(
      'path must be a string',
    );
  });
});

describe.each(adapters)('GET /rate-limit-policies on %s with module-wide switches', (adapter) => {
  const explainOn = async (demo: RunningDemo, path: string) =>
    (await (
      await demo.request('GET', `/api/v1/rate-limit-policies?path=${encodeURIComponent(path)}`)
    ).json()) as Explanation;

  it('says shadow for every policy when the module puts every limit in shadow', async () => {
    const demo = await startDemo(
      { RATE_LIMITER_SHADOW: 'true', DEFAULT_RATE_LIMIT_LIMIT: '1' },
      { adapter },
    );
    try {
      const explanation = await explainOn(demo, '/api/v1/widgets');
      expect(explanation.policies).toMatchObject([{ name: 'default', limit: 1, mode: 'shadow' }]);
      const statuses = [];
      for (let i = 0; i < 3; i += 1)
        statuses.push((await demo.request('GET', '/api/v1/widgets')).status);
      expect(statuses).toEqual([200, 200, 200]);
    } finally {
      await demo.close();
    }
  });

  it('says disabled when the limiter is off, and the guard indeed sends no headers', async () => {
    const demo = await startDemo({ RATE_LIMITER_ENABLED: 'false' }, { adapter });
    try {
      expect(await explainOn(demo, '/api/v1/widgets/3')).toMatchObject({
        route: { method: 'GET', template: '/api/v1/widgets/:id' },
        limited: false,
        reason: 'disabled',
        policies: [],
      });
      const answer = await demo.request('GET', '/api/v1/widgets/3');
      expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
    } finally {
      await demo.close();
    }
  });
});
