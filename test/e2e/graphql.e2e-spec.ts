import { randomUUID } from 'node:crypto';
import { RateLimitRuleResolver, type RateLimitRuleContext } from 'nest-tier-rate-limit';
import { RuleTable } from 'nest-tier-rate-limit/rules';
import { type BackendServer, backendServers } from '../support/backend-servers.js';
import {
  graphqlDrivers,
  type GraphqlReply,
  startGraphqlApp,
  type GraphqlTestApp,
} from '../support/graphql-test-app.js';
import { storeOptions } from '../support/store-options.js';

const WIDGETS = '{ widgets { id } }';

/** The rate-limit error of a field, if it was refused. */
const refusalOf = (reply: GraphqlReply, field: string) =>
  reply.body.errors?.find((error) => error.path?.[0] === field);

const codes = (replies: GraphqlReply[], field: string) =>
  replies.map((reply) => (refusalOf(reply, field)?.extensions?.code as string) ?? 'ok');

/** Tier rules as the rules module serves them, from a fixed table. */
class FixedRules extends RateLimitRuleResolver {
  private readonly table = new RuleTable([
    { tierId: 1, path: 'Query.widgets', limit: 3, period: 60 },
    { tierId: 1, path: 'Mutation.createWidget', limit: 1, period: 60 },
  ]);

  resolve(context: RateLimitRuleContext) {
    return this.table.resolve(context);
  }
}

describe.each(graphqlDrivers)('GraphQL resolvers on %s', (driver) => {
  let t: GraphqlTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('limits a query field per caller, then answers RATE_LIMITED with the wait, over HTTP 200', async () => {
    t = await startGraphqlApp(driver);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i += 1) {
      const reply = await t.post(WIDGETS);
      expect(reply.body).toEqual({ data: { widgets: [{ id: '1' }] } });
      remaining.push(reply.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const refused = await t.post('{ widgets { id } free }');
    expect(refused.status).toBe(200);
    // The field is refused, the rest of the operation is served.
    expect(refused.body.data).toEqual({ widgets: null, free: true });
    expect(refused.body.errors).toHaveLength(1);
    const error = refusalOf(refused, 'widgets')!;
    expect(error.message).toMatch(/^Rate limit exceeded\. Try again in \d+ seconds\.$/);
    expect(error.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfter: expect.any(Number) as number,
      violatedPolicies: ['route'],
    });
    const retryAfter = error.extensions!.retryAfter as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('retry-after')).toBe(String(retryAfter));
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('keys each field apart, and a skipped field is never counted', async () => {
    t = await startGraphqlApp(driver);
    for (let i = 0; i < 5; i += 1) await t.post(WIDGETS);
    const reply = await t.post('{ widget(id: "1") { id } free }');
    expect(reply.body).toEqual({ data: { widget: { id: '1' }, free: true } });
    expect(reply.headers.get('x-ratelimit-remaining')).toBe('4');
    // Nest runs no guard on a field resolver unless `fieldResolverEnhancers` says so.
    for (let i = 0; i < 3; i += 1)
      expect((await t.post('{ widget(id: "1") { name price } }')).body).toEqual({
        data: { widget: { name: 'gear', price: 7 } },
      });
    const free = await t.post('{ free }');
    expect(free.body).toEqual({ data: { free: true } });
    expect(free.headers.get('x-ratelimit-remaining')).toBeNull();
    // A mutation has its own limit, the method's own (2) over the class's.
    const created = [];
    for (let i = 0; i < 3; i += 1)
      created.push(await t.post('mutation { createWidget(name: "a") { id } }'));
    expect(codes(created, 'createWidget')).toEqual(['ok', 'ok', 'RATE_LIMITED']);
  });

  it('counts every alias of a field: aliasing buys no quota', async () => {
    t = await startGraphqlApp(driver);
    const reply = await t.post('{ a: widgets { id } b: widgets { id } c: widgets { id } }');
    expect(reply.body.errors).toBeUndefined();
    expect(reply.headers.get('x-ratelimit-remaining')).toBe('2');
    const over = await t.post('{ a: widgets { id } b: widgets { id } c: widgets { id } }');
    expect(over.body.data).toEqual({ a: [{ id: '1' }], b: [{ id: '1' }], c: null });
    expect(over.body.errors?.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
  });

  it('shows the most constrained field on the response: a refusal over a pass', async () => {
    t = await startGraphqlApp(driver);
    for (let i = 0; i < 5; i += 1) await t.post(WIDGETS);
    // The refused field resolves first: the pass after it must not replace its headers.
    const reply = await t.post('{ widgets { id } widget(id: "1") { id } }');
    expect(reply.body.data).toEqual({ widgets: null, widget: { id: '1' } });
    expect(reply.headers.get('retry-after')).not.toBeNull();
    expect(reply.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('counts a user by id, apart from anonymous callers and other users', async () => {
    t = await startGraphqlApp(driver);
    for (let i = 0; i < 5; i += 1) await t.post(WIDGETS, { user: 'ada' });
    expect(refusalOf(await t.post(WIDGETS, { user: 'ada' }), 'widgets')?.extensions?.code).toBe(
      'RATE_LIMITED',
    );
    expect((await t.post(WIDGETS, { user: 'bob' })).body.errors).toBeUndefined();
    expect((await t.post(WIDGETS)).headers.get('x-ratelimit-remaining')).toBe('4');
  });

  it('applies tier rules on the field path (Query.widgets), operator rules over code', async () => {
    t = await startGraphqlApp(driver, { ruleResolver: new FixedRules() });
    const replies = [];
    for (let i = 0; i < 4; i += 1) replies.push(await t.post(WIDGETS, { user: '7:1' }));
    expect(codes(replies, 'widgets')).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
    expect(replies[0].headers.get('x-ratelimit-limit')).toBe('3');
    const mutations = [];
    for (let i = 0; i < 2; i += 1)
      mutations.push(await t.post('mutation { createWidget(name: "a") { id } }', { user: '7:1' }));
    expect(codes(mutations, 'createWidget')).toEqual(['ok', 'RATE_LIMITED']);
    // A caller of another tier keeps the code's limit.
    expect((await t.post(WIDGETS, { user: '8:2' })).headers.get('x-ratelimit-limit')).toBe('5');
  });

  it('guards a field resolver, once guards run on fields, only with a limit of its own', async () => {
    t = await startGraphqlApp(driver, {}, { fieldGuards: true });
    const replies = [];
    for (let i = 0; i < 3; i += 1) replies.push(await t.post('{ widget(id: "1") { name price } }'));
    // `price` has its own limit of 2; `name`, under the class's limit of 1 only, counts nothing.
    expect(replies.map((reply) => reply.body.data)).toEqual([
      { widget: { name: 'gear', price: 7 } },
      { widget: { name: 'gear', price: 7 } },
      { widget: null },
    ]);
    expect(replies[2].body.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['widget', 'price'], 'RATE_LIMITED'],
    ]);
  });

  it('limits subscribes over graphql-ws, refusing with RATE_LIMITED', async () => {
    t = await startGraphqlApp(driver);
    const first = [
      await t.subscribe('subscription { ticks }'),
      await t.subscribe('subscription { ticks }'),
    ];
    expect(first).toEqual([
      { values: [{ ticks: 1 }, { ticks: 2 }] },
      { values: [{ ticks: 1 }, { ticks: 2 }] },
    ]);
    const refused = await t.subscribe('subscription { ticks }');
    expect(refused.values).toEqual([]);
    expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['RATE_LIMITED']);
    expect(refused.errors?.[0].message).toMatch(
      /^Rate limit exceeded\. Try again in \d+ seconds\.$/,
    );
  });

  it("settles count: 'failed' after the resolver: only failed logins use quota", async () => {
    t = await startGraphqlApp(driver);
    const login = (password: string) =>
      t!.post('mutation ($p: String!) { login(password: $p) }', { variables: { p: password } });
    for (let i = 0; i < 3; i += 1)
      expect((await login('right')).body.data).toEqual({ login: true });
    const wrong = [await login('wrong'), await login('wrong'), await login('right')];
    expect(wrong.map((reply) => reply.body.errors?.[0]?.message ?? 'ok')).toEqual([
      'Wrong password',
      'Wrong password',
      expect.stringMatching(/^Rate limit exceeded/) as string,
    ]);
  });
});

describe.each(storeOptions)('GraphQL under concurrent operations, %s store', (_name, options) => {
  let t: GraphqlTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('lets exactly the limit through, across operations and within one', async () => {
    t = await startGraphqlApp('apollo-express', { ...options(), keyPrefix: `gql-${randomUUID()}` });
    const replies = await Promise.all(Array.from({ length: 20 }, () => t!.post(WIDGETS)));
    const outcomes = codes(replies, 'widgets');
    expect(outcomes.filter((code) => code === 'ok')).toHaveLength(5);
    expect(outcomes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(15);
    // Twelve aliases in one operation resolve concurrently: five pass, for another caller.
    const aliases = Array.from({ length: 12 }, (_, i) => `w${i}: widgets { id }`).join(' ');
    const one = await t.post(`{ ${aliases} }`, { user: 'eve' });
    const data = one.body.data!;
    expect(Object.values(data).filter((value) => value !== null)).toHaveLength(5);
    expect(one.body.errors?.filter((e) => e.extensions?.code === 'RATE_LIMITED')).toHaveLength(7);
  });
});

describe.each(backendServers.filter(([name]) => name === 'redis'))(
  'GraphQL while %s is down',
  (_name, startBackend) => {
    let backend: BackendServer;
    let t: GraphqlTestApp | undefined;
    beforeAll(async () => {
      backend = await startBackend();
    });
    afterEach(async () => {
      await t?.close();
      t = undefined;
      await backend.start();
    });
    afterAll(async () => {
      await backend.close();
    });

    it.each(graphqlDrivers)(
      'fails open on %s: fields are served, without headers',
      async (driver) => {
        t = await startGraphqlApp(driver, { ...backend.options(200), failOpen: true });
        expect((await t.post(WIDGETS)).headers.get('x-ratelimit-remaining')).toBe('4');
        await backend.stop();
        const reply = await t.post(WIDGETS);
        expect(reply.body).toEqual({ data: { widgets: [{ id: '1' }] } });
        expect(reply.headers.get('x-ratelimit-remaining')).toBeNull();
      },
    );

    it.each(graphqlDrivers)('fails closed on %s: a precautionary RATE_LIMITED', async (driver) => {
      t = await startGraphqlApp(driver, { ...backend.options(200), failOpen: false });
      await backend.stop();
      const reply = await t.post('{ widgets { id } free }');
      expect(reply.body.data).toEqual({ widgets: null, free: true });
      const error = refusalOf(reply, 'widgets')!;
      expect(error.message).toBe('Access denied as a precaution');
      expect(error.extensions).toEqual({
        code: 'RATE_LIMITED',
        retryAfter: 1,
        precautionary: true,
      });
      expect(reply.headers.get('retry-after')).toBe('1');
    });
  },
);
