import { adapters } from '../support/rate-limit-test-app.js';
import { adminClient, expectInvalid, MEMBER, sign, SUPERUSER } from '../support/admin-client.js';
import { TEST_JWT_SECRET } from '../support/demo-app.js';

const BAD_TOKENS: [string, string, RegExp][] = [
  ['forged', sign({ isSuperuser: true }, 'another-secret-entirely'), /^Invalid token$/],
  ['expired', sign({ isSuperuser: true }, TEST_JWT_SECRET, { expiresIn: -10 }), /^Token expired$/],
  ['malformed', 'not-a-jwt', /^Invalid token$/],
];

interface Rule {
  id: number;
  name: string;
  tierId: number;
  path: string;
  limit: number;
  period: number;
}

describe.each(adapters)('admin API: /rate-limits on %s', (adapter) => {
  const { call, get, post, patch, del, start, close } = adminClient<Rule>(adapter);
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${(counter += 1)}`;

  /** A fresh tier, so that rules created on it never meet another test's. */
  async function newTier() {
    const { status, body } = await post('/tiers', { name: unique('tier') });
    expect(status).toBe(201);
    return body.id as number;
  }
  /** A valid rule body on a fresh tier and path. */
  async function ruleBody(overrides: object = {}) {
    const n = unique('rule');
    return {
      name: n,
      tierId: await newTier(),
      path: `/api/v1/${n}`,
      limit: 5,
      period: 60,
      ...overrides,
    };
  }

  beforeAll(start);
  afterAll(close);

  describe('GET /rate-limits', () => {
    it('is public and paginated, sorted by id, starting with the seeded rules', async () => {
      await post('/rate-limits', await ruleBody());
      const { status, body } = await get('/rate-limits?itemsPerPage=100');
      expect(status).toBe(200);
      expect(body).toMatchObject({ page: 1, itemsPerPage: 100, hasMore: false });
      expect(body.data).toHaveLength(body.totalCount!);
      const ids = body.data!.map((rule) => rule.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(body.data!.slice(0, 2)).toMatchObject([
        { name: 'free_widget_read', tierId: 1, path: 'api_v1_widgets_{id}' },
        { name: 'pro_widget_read', tierId: 2, path: 'api_v1_widgets_{id}' },
      ]);
    });

    it('serves ?page=2&itemsPerPage=1 with hasMore true until the last page', async () => {
      const second = await get('/rate-limits?page=2&itemsPerPage=1');
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ page: 2, itemsPerPage: 1, hasMore: true });
      expect(second.body.data).toEqual([expect.objectContaining({ name: 'pro_widget_read' })]);
      const total = second.body.totalCount!;
      const last = await get(`/rate-limits?page=${total}&itemsPerPage=1`);
      expect(last.body).toMatchObject({ page: total, hasMore: false, totalCount: total });
      expect(last.body.data).toHaveLength(1);
      const beyond = await get(`/rate-limits?page=${total + 1}&itemsPerPage=1`);
      expect(beyond.body).toMatchObject({ data: [], hasMore: false });
    });

    it.each([
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['itemsPerPage=0', 'itemsPerPage'],
      ['itemsPerPage=101', 'itemsPerPage'],
      ['sort=name', 'sort'],
    ])('answers 400 naming the field to ?%s', async (query, field) => {
      expectInvalid(await get(`/rate-limits?${query}`), field);
    });
  });

  describe('GET /rate-limits/{name}', () => {
    it('answers the rule, then 404 once it is deleted, and 404 for an unknown name', async () => {
      const created = await post('/rate-limits', await ruleBody());
      const { name } = created.body;
      expect(await get(`/rate-limits/${name}`)).toEqual({ status: 200, body: created.body });
      expect((await del(`/rate-limits/${name}`)).status).toBe(204);
      const gone = await get(`/rate-limits/${name}`);
      expect(gone.status).toBe(404);
      expect(gone.body.message).toBe(`Rate limit "${name}" not found`);
      expect((await get('/rate-limits/no_such_rule')).status).toBe(404);
    });
  });

  describe('writes need a superuser', () => {
    const writes: [string, string, object | undefined][] = [
      ['POST', '/rate-limits', { name: 'never', tierId: 1, path: '/x', limit: 1, period: 1 }],
      ['PATCH', '/rate-limits/free_widget_read', { limit: 1 }],
      ['DELETE', '/rate-limits/free_widget_read', undefined],
    ];

    it.each(writes)('%s %s: 401 without a token, 403 for a non-superuser', async (m, p, b) => {
      const anonymous = await call(m, p, b);
      expect(anonymous).toMatchObject({ status: 401, body: { message: /bearer token/ } });
      const member = await call(m, p, b, MEMBER);
      expect(member).toMatchObject({ status: 403, body: { message: /superuser/ } });
      expect((await get('/rate-limits/free_widget_read')).body.limit).toBe(20);
      expect((await get('/rate-limits/never')).status).toBe(404);
    });

    it.each(BAD_TOKENS)('answers 401 to a %s token', async (_kind, token, message) => {
      for (const [m, p, b] of writes) {
        expect(await call(m, p, b, token)).toMatchObject({ status: 401, body: { message } });
      }
    });
  });

  describe('POST /rate-limits', () => {
    it.each([
      ['/api/v1/{n}', 'api_v1_{n}'],
      ['api_v1_{n}', 'api_v1_{n}'],
      ['/api/v1/{n}/{id}', 'api_v1_{n}_{id}'],
      ['/api/v1/{n}/:id', 'api_v1_{n}_{id}'],
    ])('stores %s as %s (201)', async (given, stored) => {
      const body = await ruleBody();
      const at = (template: string) => template.replace('{n}', body.name);
      const created = await post('/rate-limits', { ...body, path: at(given) });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...body, path: at(stored), id: expect.any(Number) });
      expect((await get(`/rate-limits/${body.name}`)).body.path).toBe(at(stored));
    });

    it('generates a name when none is given', async () => {
      const body = { ...(await ruleBody()), name: undefined };
      const created = await post('/rate-limits', body);
      expect(created.status).toBe(201);
      expect(created.body.name).toEqual(expect.stringMatching(/^tier_\d+_api_v1_rule_\d+$/));
      expect((await get(`/rate-limits/${created.body.name}`)).status).toBe(200);
    });

    it.each([
      ['a negative limit', { limit: -1 }, 'limit'],
      ['a zero limit', { limit: 0 }, 'limit'],
      ['a fractional limit', { limit: 1.5 }, 'limit'],
      ['a string limit', { limit: '10' }, 'limit'],
      ['a null limit', { limit: null }, 'limit'],
      ['a missing limit', { limit: undefined }, 'limit'],
      ['a negative period', { period: -60 }, 'period'],
      ['a zero period', { period: 0 }, 'period'],
      ['a fractional period', { period: 1.5 }, 'period'],
      ['a string period', { period: '10' }, 'period'],
      ['a null period', { period: null }, 'period'],
      ['a missing period', { period: undefined }, 'period'],
      ['a null tierId', { tierId: null }, 'tierId'],
      ['a string tierId', { tierId: '1' }, 'tierId'],
      ['a missing tierId', { tierId: undefined }, 'tierId'],
      ['a null path', { path: null }, 'path'],
      ['a numeric path', { path: 42 }, 'path'],
      ['a missing path', { path: undefined }, 'path'],
      ['a path with a query', { path: '/api/v1/x?a=1' }, 'path'],
      ['a path of only "/"', { path: '/' }, 'path'],
      ['a null name', { name: null }, 'name'],
      ['a numeric name', { name: 7 }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      ['an unknown algorithm', { algorithm: 'leaky-bucket' }, 'algorithm'],
      ['a null algorithm', { algorithm: null }, 'algorithm'],
      ['a burst with the fixed window', { burst: 3 }, 'burst'],
      ['a burst with the sliding window', { algorithm: 'sliding-window', burst: 3 }, 'burst'],
      ['a zero burst', { algorithm: 'gcra', burst: 0 }, 'burst'],
      ['a string burst', { algorithm: 'gcra', burst: '3' }, 'burst'],
    ])('answers 400 naming the field to %s', async (_case, overrides, field) => {
      const body = await ruleBody(overrides);
      expectInvalid(await post('/rate-limits', body), field);
      if (typeof body.name === 'string' && body.name !== '') {
        expect((await get(`/rate-limits/${body.name}`)).status).toBe(404);
      }
    });

    it("stores each rule's algorithm and burst, the fixed window and none by default", async () => {
      const plain = await post('/rate-limits', await ruleBody());
      expect(plain.body).toMatchObject({ algorithm: 'fixed-window', burst: null });
      const gcra = await post('/rate-limits', await ruleBody({ algorithm: 'gcra', burst: 7 }));
      expect(gcra).toMatchObject({ status: 201, body: { algorithm: 'gcra', burst: 7 } });
      const sliding = await post('/rate-limits', await ruleBody({ algorithm: 'sliding-window' }));
      expect((await get(`/rate-limits/${sliding.body.name}`)).body).toMatchObject({
        algorithm: 'sliding-window',
        burst: null,
      });
    });

    it('answers 404 naming the tier for an unknown or a deleted tier', async () => {
      const unknown = await post('/rate-limits', await ruleBody({ tierId: 999_999 }));
      expect(unknown).toMatchObject({ status: 404, body: { message: 'Tier 999999 not found' } });
      const tier = await post('/tiers', { name: unique('doomed') });
      expect((await del(`/tiers/${tier.body.name}`)).status).toBe(204);
      const deleted = await post('/rate-limits', await ruleBody({ tierId: tier.body.id }));
      expect(deleted).toMatchObject({
        status: 404,
        body: { message: `Tier ${tier.body.id} not found` },
      });
    });

    it('answers 409 to a taken name and to a second live rule for a tier, path and period', async () => {
      const body = await ruleBody();
      expect((await post('/rate-limits', body)).status).toBe(201);
      const sameName = await post('/rate-limits', { ...(await ruleBody()), name: body.name });
      expect(sameName).toMatchObject({
        status: 409,
        body: { message: `Rate limit name "${body.name}" is taken` },
      });
      const samePath = await post('/rate-limits', {
        ...body,
        name: unique('other'),
        path: `api_v1_${body.name}`,
      });
      expect(samePath.status).toBe(409);
      expect(samePath.body.message).toBe(
        `Tier ${body.tierId} already has a live rate limit for path api_v1_${body.name} ` +
          `and period 60: "${body.name}"`,
      );
    });

    it('lets a deleted rule’s name and (tier, path, period) be used again', async () => {
      const body = await ruleBody();
      const first = await post('/rate-limits', body);
      expect((await del(`/rate-limits/${body.name}`)).status).toBe(204);
      const again = await post('/rate-limits', { ...body, limit: 9 });
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ name: body.name, limit: 9 });
      expect(again.body.id).not.toBe(first.body.id);
    });

    it.each([
      ['identical', (_i: number) => ''],
      ['same-name, different-path', (i: number) => `/v${i}`],
    ])('answers one 201 and nine 409s (never 500) to 10 racing %s POSTs', async (_c, suffix) => {
      const body = await ruleBody();
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          post('/rate-limits', { ...body, path: body.path + suffix(i) }),
        ),
      );
      const statuses = replies.map((reply) => reply.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(9).fill(409)]);
      for (const reply of replies.filter((r) => r.status === 409)) {
        expect(reply.body.message).toMatch(new RegExp(`"${body.name}" is taken|path api_v1_`));
      }
      expect((await get(`/rate-limits/${body.name}`)).status).toBe(200);
    });
  });

  describe('PATCH /rate-limits/{name}', () => {
    it('updates only the fields given', async () => {
      const created = await post('/rate-limits', await ruleBody());
      const patched = await patch(`/rate-limits/${created.body.name}`, { limit: 42 });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...created.body, limit: 42, updatedAt: expect.any(String) });
      expect((await get(`/rate-limits/${created.body.name}`)).body).toEqual(patched.body);
    });

    it('stores a new path sanitized and a new name', async () => {
      const body = await ruleBody();
      await post('/rate-limits', body);
      const renamed = unique('renamed');
      const patched = await patch(`/rate-limits/${body.name}`, {
        name: renamed,
        path: '/api/v1/moved/:id',
      });
      expect(patched.body).toMatchObject({ name: renamed, path: 'api_v1_moved_{id}' });
      expect((await get(`/rate-limits/${body.name}`)).status).toBe(404);
      expect((await get(`/rate-limits/${renamed}`)).body.path).toBe('api_v1_moved_{id}');
    });

    it.each([
      ['a null limit', { limit: null }, 'limit'],
      ['a zero period', { period: 0 }, 'period'],
      ['a null name', { name: null }, 'name'],
      ['a null tierId', { tierId: null }, 'tierId'],
      ['a string limit', { limit: '10' }, 'limit'],
      ['an unknown field', { colour: 'red' }, 'colour'],
    ])('answers 400 naming the field to %s', async (_case, change, field) => {
      const body = await ruleBody();
      await post('/rate-limits', body);
      expectInvalid(await patch(`/rate-limits/${body.name}`, change), field);
      expect((await get(`/rate-limits/${body.name}`)).body).toMatchObject({ limit: 5, period: 60 });
    });

    it("changes a rule's algorithm, a burst only with gcra (null clears it)", async () => {
      const body = await ruleBody({ algorithm: 'gcra', burst: 2 });
      await post('/rate-limits', body);
      expectInvalid(
        await patch(`/rate-limits/${body.name}`, { algorithm: 'fixed-window' }),
        'burst',
      );
      expect((await get(`/rate-limits/${body.name}`)).body).toMatchObject({
        algorithm: 'gcra',
        burst: 2,
      });
      const left = await patch(`/rate-limits/${body.name}`, {
        algorithm: 'sliding-window',
        burst: null,
      });
      expect(left).toMatchObject({
        status: 200,
        body: { algorithm: 'sliding-window', burst: null },
      });
      expectInvalid(await patch(`/rate-limits/${body.name}`, { burst: 4 }), 'burst');
      const back = await patch(`/rate-limits/${body.name}`, { algorithm: 'gcra', burst: 4 });
      expect(back.body).toMatchObject({ algorithm: 'gcra', burst: 4 });
    });

    it('answers 404 to an unknown rule and to an unknown tier', async () => {
      const missing = await patch('/rate-limits/no_such_rule', { limit: 3 });
      expect(missing).toMatchObject({
        status: 404,
        body: { message: 'Rate limit "no_such_rule" not found' },
      });
      const body = await ruleBody();
      await post('/rate-limits', body);
      const badTier = await patch(`/rate-limits/${body.name}`, { tierId: 999_999 });
      expect(badTier).toMatchObject({ status: 404, body: { message: 'Tier 999999 not found' } });
      expect((await get(`/rate-limits/${body.name}`)).body.tierId).toBe(body.tierId);
    });

    it('answers 409 to renaming onto a taken name or moving onto a taken (tier, path, period)', async () => {
      const [a, b] = [await ruleBody(), await ruleBody()];
      await post('/rate-limits', a);
      await post('/rate-limits', b);
      const rename = await patch(`/rate-limits/${b.name}`, { name: a.name });
      expect(rename).toMatchObject({
        status: 409,
        body: { message: `Rate limit name "${a.name}" is taken` },
      });
      const move = await patch(`/rate-limits/${b.name}`, { tierId: a.tierId, path: a.path });
      expect(move).toMatchObject({
        status: 409,
        body: { message: expect.stringContaining(`api_v1_${a.name} and period 60: "${a.name}"`) },
      });
      expect((await get(`/rate-limits/${b.name}`)).body).toMatchObject({ tierId: b.tierId });
    });
  });

  describe('DELETE /rate-limits/{name}', () => {
    it('soft-deletes the rule (204, then 404) and changes nothing else', async () => {
      const body = await ruleBody();
      await post('/rate-limits', body);
      const list = async () => (await get('/rate-limits?itemsPerPage=100')).body;
      const before = await list();
      const deleted = await del(`/rate-limits/${body.name}`);
      expect(deleted).toEqual({ status: 204, body: {} });
      expect((await get(`/rate-limits/${body.name}`)).status).toBe(404);
      const after = await list();
      expect(after.totalCount).toBe(before.totalCount! - 1);
      expect(after.data).toEqual(before.data!.filter((rule) => rule.name !== body.name));
      expect((await del(`/rate-limits/${body.name}`)).status).toBe(404);
      expect((await patch(`/rate-limits/${body.name}`, { limit: 1 })).status).toBe(404);
    });
  });

  // Input the validators let through but PostgreSQL refuses must not surface as a 500.
  describe('odd input answers 4xx, never 500', () => {
    const valid = { tierId: 1, limit: 1, period: 1 };
    it.each([
      ['GET', '/rate-limits?page=1e18', 'page', undefined],
      ['POST', '/rate-limits', 'tierId', { ...valid, path: '/o1', tierId: 2 ** 31 }],
      ['PATCH', '/rate-limits/free_widget_read', 'tierId', { tierId: 2 ** 31 }],
      ['POST', '/rate-limits', 'name', { ...valid, path: '/o2', name: 'a\u0000b' }],
    ])('%s %s: 400 naming %s', async (method, path, field, body) => {
      expectInvalid(await call(method, path, body, SUPERUSER), field);
    });

    it('GET a name holding a NUL: 404', async () => {
      expect((await get('/rate-limits/a%00b')).status).toBe(404);
    });
  });
});
