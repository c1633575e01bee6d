import jwt from 'jsonwebtoken';
import { type RunningDemo, startDemo, TEST_JWT_SECRET } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

const ADMIN = { username: 'operator', password: 'correct horse battery staple' };
// A maximum lifetime below the login's default hour: the token must still be one the app takes.
const LOGIN_ENV = {
  DEMO_ADMIN_USERNAME: ADMIN.username,
  DEMO_ADMIN_PASSWORD: ADMIN.password,
  JWT_MAX_LIFETIME: '600',
};
const LOGIN = '/api/v1/auth/login';
const WRONG = { username: ADMIN.username, password: 'hunter2' };

const remaining = (response: Response) => response.headers.get('x-ratelimit-remaining');

describe.each(adapters)('demo login on %s', (adapter) => {
  let demo: RunningDemo | undefined;
  const start = async (env: Record<string, string>) => {
    demo = await startDemo(env, { adapter });
    return demo;
  };
  afterEach(async () => {
    await demo?.close();
    demo = undefined;
  });

  describe('with DEMO_ADMIN_USERNAME and DEMO_ADMIN_PASSWORD set', () => {
    let login: (body: unknown) => Promise<Response>;
    beforeEach(async () => {
      const running = await start(LOGIN_ENV);
      login = (body) => running.request('POST', LOGIN, { body });
    });

    it('counts only failed attempts: 5 wrong passwords, then 429 with Retry-After', async () => {
      const statuses: [number, string | null][] = [];
      const attempt = async (body: unknown) => {
        const response = await login(body);
        statuses.push([response.status, remaining(response)]);
        return response;
      };
      await attempt(ADMIN);
      await attempt(WRONG);
      await attempt(WRONG);
      await attempt(ADMIN);
      await attempt(ADMIN);
      for (let i = 0; i < 3; i += 1) await attempt(WRONG);
      const refused = await attempt(WRONG);
      expect(statuses).toEqual([
        [200, '5'],
        [401, '4'],
        [401, '3'],
        [200, '3'],
        [200, '3'],
        [401, '2'],
        [401, '1'],
        [401, '0'],
        [429, '0'],
      ]);
      expect(refused.headers.get('x-ratelimit-limit')).toBe('5');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(300);
      // Locked out: the right password waits too, or the limit would tell a guesser when it hit.
      expect((await login(ADMIN)).status).toBe(429);
    });

    it('answers 401 without saying whether the username or the password was wrong', async () => {
      const wrongPassword = await login(WRONG);
      const wrongUsername = await login({ username: 'root', password: ADMIN.password });
      expect([wrongPassword.status, wrongUsername.status]).toEqual([401, 401]);
      const body = await wrongPassword.json();
      expect(body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid username or password',
      });
      expect(await wrongUsername.json()).toEqual(body);
    });

    it('answers 400 naming the field that is missing or not a string', async () => {
      const cases: [unknown, string][] = [
        [{ password: ADMIN.password }, 'username'],
        [{ username: ADMIN.username }, 'password'],
        [{ username: ADMIN.username, password: 42 }, 'password'],
        [{ username: { $ne: '' }, password: 'x' }, 'username'],
      ];
      for (const [body, field] of cases) {
        const response = await login(body);
        expect(response.status).toBe(400);
        const { message } = (await response.json()) as { message: string[] };
        // Every complaint is about the bad field, and there is one.
        expect(message.length).toBeGreaterThan(0);
        expect(message.filter((line) => !line.startsWith(`${field} `))).toEqual([]);
      }
    });

    it('hands out a superuser token that the admin API accepts', async () => {
      const response = await login(ADMIN);
      expect(response.status).toBe(200);
      const { accessToken } = (await response.json()) as { accessToken: string };
      const claims = jwt.verify(accessToken, TEST_JWT_SECRET, {
        algorithms: ['HS256'],
      }) as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: ADMIN.username, isSuperuser: true });
      expect(claims.exp! - claims.iat!).toBe(600);
      const created = await demo!.request('POST', '/api/v1/tiers', {
        token: accessToken,
        body: { name: 'made-by-login' },
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ name: 'made-by-login' });
    });

    it('documents the route in the OpenAPI document', async () => {
      const document = (await (await fetch(`${demo!.url}/api/docs-json`)).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      const route = document.paths[LOGIN]?.post;
      expect(Object.keys(route?.responses ?? {}).sort()).toEqual(['200', '400', '401', '429']);
    });
  });

  it.each([
    ['neither is set', {}],
    ['only DEMO_ADMIN_USERNAME is set', { DEMO_ADMIN_USERNAME: ADMIN.username }],
    ['only DEMO_ADMIN_PASSWORD is set', { DEMO_ADMIN_PASSWORD: ADMIN.password }],
  ])('answers 404 when %s: login is off', async (_case, env) => {
    const running = await start(env);
    const response = await running.request('POST', LOGIN, { body: ADMIN });
    expect(response.status).toBe(404);
    // The answer of any route that does not exist: nothing says that login is merely off.
    expect(await response.json()).toMatchObject({ message: `Cannot POST ${LOGIN}` });
    expect(response.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('with a total budget of 3 per 60 s, refuses the 4th request across widget routes', async () => {
    const running = await start({
      DEFAULT_RATE_LIMIT_TOTAL_LIMIT: '3',
      DEFAULT_RATE_LIMIT_TOTAL_PERIOD: '60',
    });
    const answers: [number, string | null][] = [];
    const send = async (method: string, path: string, body?: unknown) => {
      const response = await running.request(method, path, { body });
      answers.push([response.status, remaining(response)]);
      return response;
    };
    await send('GET', '/api/v1/widgets');
    await send('POST', '/api/v1/widgets', { name: 'gear' });
    await send('GET', '/api/v1/widgets');
    const refused = await send('POST', '/api/v1/widgets', { name: 'cog' });
    // Each route alone allows far more (100 and 20 per 60 s): only the total refuses.
    expect(answers).toEqual([
      [200, '2'],
      [201, '1'],
      [200, '0'],
      [429, '0'],
    ]);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});
