import { DATABASE_UNAVAILABLE_MESSAGE } from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/database-unavailable.interceptor.js';
import { SUPERUSER } from '../support/admin-client.js';
import { RateLimitMetrics } from 'nest-tier-rate-limit';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { asAdmin, createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { adapters } from '../support/rate-limit-test-app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const REFRESH_MS = 200;
const RECOVERY_BOUND_MS = 10_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 50 ms until it holds; returns the milliseconds it took. */
async function msUntil(probe: () => Promise<boolean>, boundMs: number): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > boundMs) throw new Error(`not seen within ${boundMs} ms`);
    await sleep(50);
  }
  return performance.now() - started;
}

/** A way to take the database away from the app, and give it back. */
interface Outage {
  begin(): Promise<void>;
  end(): Promise<void>;
}

describe.each(adapters)('admin API while its database is down, on %s', (adapter) => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let demo: RunningDemo;
  let user = 0;
  const call = async (method: string, path: string, payload?: unknown, token = SUPERUSER) => {
    const response = await demo.request(method, `/api/v1${path}`, { token, body: payload });
    const text = await response.text();
    const body: unknown = text === '' ? {} : JSON.parse(text);
    return { response, status: response.status, body };
  };
  const databaseName = () => new URL(database.url).pathname.slice(1);

  /** New sessions refused by PostgreSQL itself (55000), open ones terminated (57P01). */
  const refusedByServer: Outage = {
    begin: async () => {
      await asAdmin(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS false`);
      await asAdmin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        databaseName(),
      ]);
    },
    end: async () => {
      await asAdmin(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS true`);
    },
  };
  /** Connections cut and refused on the way (ECONNREFUSED), PostgreSQL untouched. */
  const unreachable: Outage = { begin: () => proxy.cut(), end: () => proxy.restore() };

  beforeAll(async () => {
    database = await createTestDatabase();
    const server = new URL(database.url);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    server.port = String(proxy.port);
    demo = await startDemo(
      { DATABASE_URL: server.href, RATE_LIMIT_RULES_REFRESH_MS: String(REFRESH_MS) },
      { adapter },
    );
  });
  afterAll(async () => {
    await demo?.close();
    await proxy?.close();
    await database?.drop();
  });

  /** A tier of its own with one rule: 2 requests per minute on `/api/v1/widgets/1`. */
  interface Limited {
    rule: string;
    caller: () => string;
  }

  async function limitedTier(label: string): Promise<Limited> {
    const tier = await call('POST', '/tiers', { name: `limited-${label}` });
    expect(tier.status).toBe(201);
    const tierId = (tier.body as { id: number }).id;
    const rule = `kept-${label}`;
    const body = { name: rule, tierId, path: '/api/v1/widgets/1', limit: 2, period: 60 };
    expect((await call('POST', '/rate-limits', body)).status).toBe(201);
    return { rule, caller: () => tokenFor({ sub: `${label}-${(user += 1)}`, tierId }) };
  }

  /** Every tier and rule, as the admin API lists them. */
  async function snapshot(): Promise<unknown[]> {
    const lists = ['/tiers?itemsPerPage=100', '/rate-limits?itemsPerPage=100'];
    return Promise.all(lists.map(async (path) => (await call('GET', path)).body));
  }

  /** A fresh caller of the tier gets exactly the rule's 2 requests. */
  async function expectLimitedByRule({ caller }: Limited): Promise<void> {
    const token = caller();
    const replies = [];
    for (let i = 0; i < 3; i += 1)
      replies.push(await demo.request('GET', '/api/v1/widgets/1', { token }));
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 429]);
    expect(replies.map((reply) => reply.headers.get('x-ratelimit-limit'))).toEqual(['2', '2', '2']);
  }

  async function expectUnavailable(method: string, path: string, body?: unknown): Promise<void> {
    const reply = await call(method, path, body);
    expect([method, path, reply.status, reply.body]).toEqual([
      method,
      path,
      503,
      { statusCode: 503, message: DATABASE_UNAVAILABLE_MESSAGE },
    ]);
    expect(reply.response.headers.get('retry-after')).toBe('5');
  }

  /** Every admin route, reads and writes, while the database is away. */
  async function expectEveryRouteUnavailable(label: string, rule: string): Promise<void> {
    for (const path of ['/rate-limits', `/rate-limits/${rule}`, '/tiers', '/tiers/free'])
      await expectUnavailable('GET', path);
    await expectUnavailable('POST', '/tiers', { name: `never-${label}` });
    const added = {
      name: `never-${label}`,
      tierId: 2,
      path: '/api/v1/widgets/1',
      limit: 9,
      period: 60,
    };
    await expectUnavailable('POST', '/rate-limits', added);
    await expectUnavailable('PATCH', `/rate-limits/${rule}`, { limit: 50 });
    await expectUnavailable('DELETE', `/rate-limits/${rule}`);
    await expectUnavailable('PATCH', '/tiers/free', { description: 'changed during the outage' });
    await expectUnavailable('DELETE', '/tiers/free');
  }

  beforeAll(async () => {
    const widget = await demo.request('POST', '/api/v1/widgets', { body: { name: 'gear' } });
    expect(await widget.json()).toMatchObject({ id: 1 });
  });

  /** `ratelimit_rule_reload_failures_total`, read from the metrics the module exports. */
  const reloadFailures = async () => {
    const { registry } = demo.app.get(RateLimitMetrics, { strict: false });
    const text = await registry.getSingleMetricAsString('ratelimit_rule_reload_failures_total');
    return Number(/^ratelimit_rule_reload_failures_total (\d+)$/m.exec(text)?.[1]);
  };

  it.each([
    ['PostgreSQL refuses the database', 'refused', () => refusedByServer],
    ['the database host is unreachable', 'unreachable', () => unreachable],
  ])('answers 503 while %s, keeps the cached rules and recovers', async (_kind, label, outage) => {
    const limited = await limitedTier(label);
    const before = await snapshot();
    try {
      await outage().begin();
      const health = await call('GET', '/health');
      expect(health.body).toMatchObject({ status: 'degraded', database: { status: 'down' } });
      // Several rule refreshes fail meanwhile; the cache must keep what it had.
      const failuresBefore = await reloadFailures();
      await sleep(REFRESH_MS * 3);
      await expectLimitedByRule(limited);
      expect(await reloadFailures()).toBeGreaterThan(failuresBefore);
      await expectEveryRouteUnavailable(label, limited.rule);
      // What needs no database keeps its own answer.
      expect((await call('POST', '/tiers', { name: 7 })).status).toBe(400);
      const byMember = await call(
        'DELETE',
        `/rate-limits/${limited.rule}`,
        undefined,
        limited.caller(),
      );
      expect(byMember.status).toBe(403);
    } finally {
      await outage().end();
    }

    const recoveredMs = await msUntil(
      async () => (await call('GET', '/tiers')).status === 200,
      RECOVERY_BOUND_MS,
    );
    console.log(
      `${adapter}, ${label}: admin API answered ${recoveredMs.toFixed(0)} ms after the database returned`,
    );
    expect((await call('GET', '/health')).body).toMatchObject({ database: { status: 'up' } });
    // Nothing asked for during the outage was written, not even in part.
    expect(await snapshot()).toEqual(before);
    // Writes work again and reach the guard at once.
    expect((await call('PATCH', `/rate-limits/${limited.rule}`, { limit: 3 })).status).toBe(200);
    const reply = await demo.request('GET', '/api/v1/widgets/1', { token: limited.caller() });
    expect(reply.headers.get('x-ratelimit-limit')).toBe('3');
  });

  it('keeps guarded routes answering from the cached rules while the database hangs', async () => {
    const limited = await limitedTier('hung');
    proxy.hang();
    try {
      // The refresh now waits on a database that never answers; requests must not.
      await sleep(REFRESH_MS * 3);
      const started = performance.now();
      await expectLimitedByRule(limited);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await proxy.restore();
    }
    await msUntil(async () => (await call('GET', '/tiers')).status === 200, RECOVERY_BOUND_MS);
  });
});
