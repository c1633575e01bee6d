import { type AdminReply, expectInvalid, SUPERUSER } from '../support/admin-client.js';
import { type RunningDemo, startDemo } from '../support/demo-app.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

interface Rule {
  id: number;
  name: string;
  tierId: number;
  path: string;
  period: number;
}

/**
 * Where the demo keeps its rules: a fresh database on the real server, where racing writes meet
 * in the unique index, and embedded PGlite, where they are queued.
 */
const databases: [string, () => Promise<TestDatabase | undefined>][] = [
  ['PostgreSQL', createTestDatabase],
  ['PGlite', () => Promise.resolve(undefined)],
];

// Uniqueness is the database's business, not the HTTP adapter's: one adapter keeps it fast.
describe.each(databases)('admin API: several rules per tier and path, on %s', (_, create) => {
  let database: TestDatabase | undefined;
  let demo: RunningDemo;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${(counter += 1)}`;

  async function call(method: string, path: string, body?: unknown): Promise<AdminReply<Rule>> {
    const response = await demo.request(method, `/api/v1${path}`, { token: SUPERUSER, body });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
  }
  const post = (body: object) => call('POST', '/rate-limits', body);
  const patch = (name: string, body: object) => call('PATCH', `/rate-limits/${name}`, body);
  const stored = async (name: string) => (await call('GET', `/rate-limits/${name}`)).body;

  /** A rule body on a fresh tier and path, named unless `name` is undefined. */
  async function ruleBody(overrides: object = {}) {
    const tier = await call('POST', '/tiers', { name: unique('tier') });
    expect(tier.status).toBe(201);
    const name = unique('rule');
    return {
      name,
      tierId: tier.body.id!,
      path: `/api/v1/${name}`,
      limit: 5,
      period: 60,
      ...overrides,
    };
  }
  /** The 409 for a write repeating `rule`'s tier, path and period, naming `rule`. */
  const duplicateOf = (rule: Partial<Rule>) =>
    `Tier ${rule.tierId} already has a live rate limit for path ${rule.path} ` +
    `and period ${rule.period}: "${rule.name}"`;

  beforeAll(async () => {
    database = await create();
    demo = await startDemo(database === undefined ? {} : { DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await demo?.close();
    await database?.drop();
  });

  it('creates one rule per period of a path (201 each)', async () => {
    const burst = await ruleBody({ limit: 10, period: 1 });
    const sustained = { ...burst, name: unique('rule'), limit: 300, period: 3600 };
    const first = await post(burst);
    const second = await post(sustained);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toMatchObject({ path: first.body.path, period: 3600, limit: 300 });
    expect(await stored(burst.name)).toMatchObject({ period: 1, limit: 10 });
  });

  it('names each period of a path apart when no name is given', async () => {
    const body = { ...(await ruleBody()), name: undefined };
    const first = await post(body);
    const second = await post({ ...body, period: 3600 });
    expect([first.status, second.status]).toEqual([201, 201]);
    const path = first.body.path!;
    expect(first.body.name).toMatch(new RegExp(`^tier_\\d+_${path}$`));
    expect(second.body.name).toBe(`${first.body.name}_3600s`);
  });

  it('answers 409 naming the live rule to a second one for the same tier, path and period', async () => {
    const body = await ruleBody();
    const first = await post(body);
    expect(first.status).toBe(201);
    const again = await post({ ...body, name: unique('again'), limit: 9 });
    expect(again).toEqual({ status: 409, body: expect.objectContaining({ statusCode: 409 }) });
    expect(again.body.message).toBe(duplicateOf(first.body));
    // The path in another spelling is the same path once stored.
    const spelled = await post({ ...body, name: unique('again'), path: first.body.path });
    expect(spelled).toMatchObject({ status: 409, body: { message: duplicateOf(first.body) } });
  });

  it('answers one 201 and nine 409s naming the winner (never 500) to 10 racing duplicates', async () => {
    const body = await ruleBody();
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => post({ ...body, name: unique('racer') })),
    );
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const winner = replies.find((reply) => reply.status === 201)!.body;
    for (const reply of replies.filter((r) => r.status === 409)) {
      expect(reply.body.message).toBe(duplicateOf(winner));
    }
    const list = await call('GET', '/rate-limits?page=1&itemsPerPage=100');
    const live = list.body.data!.filter((rule) => rule.tierId === body.tierId);
    expect(live.map((rule) => rule.name)).toEqual([winner.name]);
  });

  it("stores * (or /*) as *, the tier's total budget, one live rule per period", async () => {
    const body = await ruleBody({ path: '*', limit: 1000, period: 3600 });
    const total = await post(body);
    expect(total).toMatchObject({ status: 201, body: { path: '*', period: 3600 } });
    const daily = await post({ ...body, name: unique('daily'), path: '/*', period: 86_400 });
    expect(daily).toMatchObject({ status: 201, body: { path: '*', period: 86_400 } });
    const twice = await post({ ...body, name: unique('twice'), path: '/*' });
    expect(twice).toMatchObject({ status: 409, body: { message: duplicateOf(total.body) } });
  });

  it.each(['/*x', 'a*b', '/api/v1/*', '**', '/*/*'])(
    'answers 400 naming path to %s, on POST and on PATCH',
    async (path) => {
      const body = await ruleBody();
      expectInvalid(await post({ ...body, path }), 'path');
      expect((await call('GET', `/rate-limits/${body.name}`)).status).toBe(404);
      expect((await post(body)).status).toBe(201);
      expectInvalid(await patch(body.name, { path }), 'path');
      expect(await stored(body.name)).toMatchObject({ path: `api_v1_${body.name}` });
    },
  );

  it('answers 409 naming the rule to a PATCH of period or path onto a live one', async () => {
    const minute = await ruleBody();
    const hour = { ...minute, name: unique('hour'), period: 3600 };
    const other = { ...minute, name: unique('other'), path: '/api/v1/other' };
    for (const rule of [minute, hour, other]) expect((await post(rule)).status).toBe(201);
    const taken = await stored(minute.name);
    const onPeriod = await patch(hour.name, { period: 60 });
    expect(onPeriod).toMatchObject({ status: 409, body: { message: duplicateOf(taken) } });
    const onPath = await patch(other.name, { path: minute.path });
    expect(onPath).toMatchObject({ status: 409, body: { message: duplicateOf(taken) } });
    expect(await stored(hour.name)).toMatchObject({ period: 3600 });
    expect(await stored(other.name)).toMatchObject({ path: 'api_v1_other' });
    // A PATCH leaving its own period and path as they are clashes with nothing.
    expect((await patch(minute.name, { period: 60, path: minute.path, limit: 8 })).status).toBe(
      200,
    );
  });

  it('answers one 200 and one 409 to two racing PATCHes onto one period', async () => {
    const a = await ruleBody({ period: 1 });
    const b = { ...a, name: unique('rule'), period: 2 };
    for (const rule of [a, b]) expect((await post(rule)).status).toBe(201);
    const replies = await Promise.all([a, b].map((rule) => patch(rule.name, { period: 60 })));
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409]);
    const winner = replies.find((reply) => reply.status === 200)!.body;
    const loser = replies.find((reply) => reply.status === 409)!.body;
    expect(loser.message).toBe(duplicateOf(winner));
  });
});
