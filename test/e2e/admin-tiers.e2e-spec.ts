import { adapters } from '../support/rate-limit-test-app.js';
import { adminClient, expectInvalid, MEMBER, sign } from '../support/admin-client.js';

const FORGED = sign({ isSuperuser: true }, 'another-secret-entirely');

interface Tier {
  id: number;
  name: string;
  description: string | null;
}

describe.each(adapters)('admin API: /tiers on %s', (adapter) => {
  const { call, get, post, patch, del, start, close, url } = adminClient<Tier>(adapter);
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${(counter += 1)}`;

  /** Creates a tier with a fresh name and answers it. */
  async function newTier(description?: string) {
    const created = await post('/tiers', { name: unique('tier'), description });
    expect(created.status).toBe(201);
    return created.body as Tier;
  }
  const ruleOn = (tierId: number) => {
    const name = unique('rule');
    return { name, tierId, path: `/api/v1/${name}`, limit: 5, period: 60 };
  };

  beforeAll(start);
  afterAll(close);

  describe('GET /tiers', () => {
    it('is public and paginated, sorted by id, starting with the seeded tiers', async () => {
      await newTier();
      const { status, body } = await get('/tiers?itemsPerPage=100');
      expect(status).toBe(200);
      expect(body).toMatchObject({ page: 1, itemsPerPage: 100, hasMore: false });
      expect(body.data).toHaveLength(body.totalCount!);
      const ids = body.data!.map((tier) => tier.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(body.data!.slice(0, 2)).toMatchObject([
        { id: 1, name: 'free' },
        { id: 2, name: 'pro' },
      ]);
    });

    it('serves ?page=2&itemsPerPage=1 with hasMore true until the last page', async () => {
      await newTier();
      const second = await get('/tiers?page=2&itemsPerPage=1');
      expect(second).toMatchObject({
        status: 200,
        body: { data: [{ id: 2, name: 'pro' }], page: 2, itemsPerPage: 1, hasMore: true },
      });
      const total = second.body.totalCount!;
      const last = await get(`/tiers?page=${total}&itemsPerPage=1`);
      expect(last.body).toMatchObject({ page: total, hasMore: false, totalCount: total });
      expect(last.body.data).toHaveLength(1);
    });

    it.each([
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['itemsPerPage=0', 'itemsPerPage'],
      ['itemsPerPage=101', 'itemsPerPage'],
      ['name=free', 'name'],
      // Validators let it through, then PostgreSQL refuses an OFFSET beyond bigint: never a 500.
      ['page=1e21', 'page'],
    ])('answers 400 naming the field to ?%s', async (query, field) => {
      expectInvalid(await get(`/tiers?${query}`), field);
    });
  });

  describe('GET /tiers/{name}', () => {
    it('answers the tier, and 404 naming an unknown one', async () => {
      expect(await get('/tiers/free')).toMatchObject({
        status: 200,
        body: { id: 1, name: 'free' },
      });
      const missing = await get('/tiers/no_such_tier');
      expect(missing).toMatchObject({
        status: 404,
        body: { message: 'Tier "no_such_tier" not found' },
      });
    });
  });

  // A NUL cannot be in any stored name, but PostgreSQL refuses it as a parameter: never a 500.
  it('GET /tiers/{name} with a NUL in the name: 404', async () => {
    expect((await get('/tiers/a%00b')).status).toBe(404);
  });

  describe('writes need a superuser', () => {
    it('answers 401 without a token or with a bad one, 403 to a non-superuser', async () => {
      const tier = await newTier('kept');
      const never = unique('never');
      const writes: [string, string, object | undefined][] = [
        ['POST', '/tiers', { name: never }],
        ['PATCH', `/tiers/${tier.name}`, { description: 'changed' }],
        ['DELETE', `/tiers/${tier.name}`, undefined],
      ];
      for (const [method, path, body] of writes) {
        const anonymous = await call(method, path, body);
        expect(anonymous).toMatchObject({ status: 401, body: { message: /bearer token/ } });
        const forged = await call(method, path, body, FORGED);
        expect(forged).toMatchObject({ status: 401, body: { message: 'Invalid token' } });
        const member = await call(method, path, body, MEMBER);
        expect(member).toMatchObject({ status: 403, body: { message: /superuser/ } });
      }
      expect((await get(`/tiers/${tier.name}`)).body).toEqual(tier);
      expect((await get(`/tiers/${never}`)).status).toBe(404);
    });
  });

  describe('POST /tiers', () => {
    it('creates a tier with a 50-char name and a 500-char or null description (201)', async () => {
      const name = unique('t').padEnd(50, 'x');
      const long = await post('/tiers', { name, description: 'd'.repeat(500) });
      expect(long).toMatchObject({ status: 201, body: { name, description: 'd'.repeat(500) } });
      expect((await get(`/tiers/${name}`)).body).toEqual(long.body);
      const bare = await post('/tiers', { name: unique('bare'), description: null });
      expect(bare).toMatchObject({ status: 201, body: { description: null } });
      const omitted = await post('/tiers', { name: unique('omitted') });
      expect(omitted).toMatchObject({ status: 201, body: { description: null } });
    });

    it.each([
      ['a 51-char name', { name: 'n'.repeat(51) }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['a numeric name', { name: 5 }, 'name'],
      ['a missing name', { name: undefined, description: 'x' }, 'name'],
      ['a 501-char description', { description: 'd'.repeat(501) }, 'description'],
      ['a numeric description', { description: 5 }, 'description'],
      ['an unknown field', { colour: 'red' }, 'colour'],
      // Validators let a NUL through, then PostgreSQL refuses it: never a 500.
      ['a NUL in the name', { name: 'a\u0000b' }, 'name'],
      ['a NUL in the description', { description: 'a\u0000b' }, 'description'],
    ])('answers 400 naming the field to %s', async (_case, overrides, field) => {
      const body = { name: unique('invalid'), ...overrides };
      expectInvalid(await post('/tiers', body), field);
    });

    it('answers 409 naming a taken name, also to 10 racing POSTs (one 201)', async () => {
      const taken = await post('/tiers', { name: 'free' });
      expect(taken).toMatchObject({ status: 409, body: { message: 'Tier name "free" is taken' } });
      const name = unique('raced');
      const replies = await Promise.all(Array.from({ length: 10 }, () => post('/tiers', { name })));
      expect(replies.map((reply) => reply.status).sort()).toEqual([
        201,
        ...Array<number>(9).fill(409),
      ]);
      for (const reply of replies.filter((r) => r.status === 409)) {
        expect(reply.body.message).toBe(`Tier name "${name}" is taken`);
      }
    });
  });

  describe('PATCH /tiers/{name}', () => {
    it('updates only the fields given, and can null the description', async () => {
      const tier = await newTier('before');
      const described = await patch(`/tiers/${tier.name}`, { description: 'after' });
      expect(described).toMatchObject({
        status: 200,
        body: { ...tier, description: 'after', updatedAt: expect.any(String) },
      });
      const renamed = unique('renamed');
      const moved = await patch(`/tiers/${tier.name}`, { name: renamed, description: null });
      expect(moved.body).toMatchObject({ id: tier.id, name: renamed, description: null });
      expect((await get(`/tiers/${tier.name}`)).status).toBe(404);
      expect((await get(`/tiers/${renamed}`)).body).toEqual(moved.body);
    });

    it.each([
      ['a null name', { name: null }, 'name'],
      ['a 51-char name', { name: 'n'.repeat(51) }, 'name'],
      ['a 501-char description', { description: 'd'.repeat(501) }, 'description'],
      ['an unknown field', { colour: 'red' }, 'colour'],
    ])('answers 400 naming the field to %s', async (_case, change, field) => {
      const tier = await newTier('kept');
      expectInvalid(await patch(`/tiers/${tier.name}`, change), field);
      expect((await get(`/tiers/${tier.name}`)).body).toEqual(tier);
    });

    it('answers 404 to an unknown tier and 409 to renaming onto a taken name', async () => {
      const missing = await patch('/tiers/no_such_tier', { description: 'x' });
      expect(missing).toMatchObject({
        status: 404,
        body: { message: 'Tier "no_such_tier" not found' },
      });
      const tier = await newTier();
      const taken = await patch(`/tiers/${tier.name}`, { name: 'pro' });
      expect(taken).toMatchObject({ status: 409, body: { message: 'Tier name "pro" is taken' } });
      expect((await get(`/tiers/${tier.name}`)).body).toEqual(tier);
    });
  });

  describe('DELETE /tiers/{name}', () => {
    it('answers 409 naming the live rules that use the tier, and keeps it', async () => {
      const tier = await newTier();
      const [a, b, gone] = [ruleOn(tier.id), ruleOn(tier.id), ruleOn(tier.id)];
      for (const rule of [a, b, gone]) expect((await post('/rate-limits', rule)).status).toBe(201);
      expect((await del(`/rate-limits/${gone.name}`)).status).toBe(204);
      const refused = await del(`/tiers/${tier.name}`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(
        `Tier "${tier.name}" is used by live rate limits: ${a.name}, ${b.name}`,
      );
      expect((await get(`/tiers/${tier.name}`)).status).toBe(200);
      expect((await get(`/rate-limits/${a.name}`)).status).toBe(200);
    });

    it('soft-deletes an unused tier: 404 after, no rules for it, its name reusable', async () => {
      const tier = await newTier('old');
      const rule = ruleOn(tier.id);
      await post('/rate-limits', rule);
      await del(`/rate-limits/${rule.name}`);
      expect(await del(`/tiers/${tier.name}`)).toEqual({ status: 204, body: {} });
      expect((await get(`/tiers/${tier.name}`)).status).toBe(404);
      expect((await del(`/tiers/${tier.name}`)).status).toBe(404);
      const listed = (await get('/tiers?itemsPerPage=100')).body.data!;
      expect(listed.map((t) => t.id)).not.toContain(tier.id);
      const orphan = await post('/rate-limits', ruleOn(tier.id));
      expect(orphan).toMatchObject({ status: 404, body: { message: `Tier ${tier.id} not found` } });
      const reborn = await post('/tiers', { name: tier.name, description: 'new' });
      expect(reborn).toMatchObject({ status: 201, body: { name: tier.name, description: 'new' } });
      expect(reborn.body.id).not.toBe(tier.id);
      expect((await get(`/tiers/${tier.name}`)).body.id).toBe(reborn.body.id);
    });
  });

  it('documents the admin routes and their schemas in the OpenAPI JSON', async () => {
    const response = await fetch(`${url()}/api/docs-json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      paths: Record<string, object>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(methods('/api/v1/rate-limits')).toEqual(['get', 'post']);
    expect(methods('/api/v1/rate-limits/{name}')).toEqual(['delete', 'get', 'patch']);
    expect(methods('/api/v1/tiers')).toEqual(['get', 'post']);
    expect(methods('/api/v1/tiers/{name}')).toEqual(['delete', 'get', 'patch']);
    const { schemas } = doc.components;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'CreateRateLimitDto',
        'UpdateRateLimitDto',
        'RateLimitResponse',
        'CreateTierDto',
        'UpdateTierDto',
        'TierResponse',
      ]),
    );
    expect(schemas.CreateRateLimitDto.required?.sort()).toEqual([
      'limit',
      'path',
      'period',
      'tierId',
    ]);
    expect(schemas.CreateTierDto.required).toEqual(['name']);
  });
});
