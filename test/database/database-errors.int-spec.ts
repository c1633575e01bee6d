import { DataSource, type DataSourceOptions, QueryFailedError } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import {
  isDatabaseUnavailable,
  uniqueViolation,
} from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/database-errors.js';
import { asAdmin, createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// The classification of src/rate-limit-admin/database-errors.ts, on errors the real PostgreSQL
// server and TypeORM produce (not written by hand): what the admin API answers 503 for, and what
// must stay a 500 (or a 409).

/** What `promise` rejected with (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('database errors from the real PostgreSQL', () => {
  let database: TestDatabase;
  let name: string;
  const openSources: DataSource[] = [];
  /** A TypeORM DataSource on the test database as the app builds it, plus `extra` options. */
  async function connect(url: string, extra: Partial<DataSourceOptions> = {}) {
    const options = { ...buildDataSourceOptions({ databaseUrl: url }), ...extra };
    const dataSource = new DataSource(options as DataSourceOptions);
    openSources.push(dataSource);
    return dataSource.initialize();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    name = new URL(database.url).pathname.slice(1);
  });
  afterAll(async () => {
    for (const dataSource of openSources) await dataSource.destroy().catch(() => undefined);
    await asAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await database?.drop();
  });

  describe('in a working session: a bug or a conflict, never unavailable', () => {
    let dataSource: DataSource;
    beforeAll(async () => {
      dataSource = await connect(database.url);
      await dataSource.query('CREATE TABLE things (name text UNIQUE)');
      await dataSource.query('CREATE SEQUENCE counter');
    });

    it.each([
      ['a unique violation (23505)', "INSERT INTO things VALUES ('a'), ('a')", '23505'],
      ['a syntax error (42601)', 'SELEC 1', '42601'],
      ['an unknown table (42P01)', 'SELECT * FROM missing', '42P01'],
      ['currval before nextval (55000)', "SELECT currval('counter')", '55000'],
      [
        'a statement timeout (57014)',
        'SET LOCAL statement_timeout = 1; SELECT pg_sleep(1)',
        '57014',
      ],
    ])('%s', async (_case, sql, code) => {
      const error = await rejection(dataSource.transaction((manager) => manager.query(sql)));
      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError).driverError).toMatchObject({ code });
      expect(isDatabaseUnavailable(error)).toBe(false);
    });

    it('keeps reading the constraint of a unique violation', async () => {
      const error = await rejection(dataSource.query("INSERT INTO things VALUES ('b'), ('b')"));
      expect(uniqueViolation(error)).toBe('things_name_key');
    });

    it('is false for a database that does not exist (3D000: configuration, not an outage)', async () => {
      const url = new URL(database.url);
      url.pathname = `/${name}_missing`;
      const error = await rejection(connect(url.href));
      expect(error).toMatchObject({ code: '3D000' });
      expect(isDatabaseUnavailable(error)).toBe(false);
    });
  });

  describe('when the server refuses or ends sessions: unavailable', () => {
    it('a query whose session an operator terminated (57P01)', async () => {
      const dataSource = await connect(database.url);
      const running = rejection(dataSource.query('SELECT pg_sleep(30)'));
      await waitForActivity(name, 'SELECT pg_sleep(30)');
      await asAdmin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
        name,
      ]);
      const terminated = await running;
      expect(terminated).toBeInstanceOf(QueryFailedError);
      expect((terminated as QueryFailedError).driverError).toMatchObject({ code: '57P01' });
      expect(isDatabaseUnavailable(terminated)).toBe(true);
      // The pool may hand the dead connection out once more ('Connection terminated
      // unexpectedly'): that is an outage too, and the next connection works.
      const next = await dataSource.query('SELECT 1 AS one').catch((error: unknown) => error);
      if (!Array.isArray(next)) expect(isDatabaseUnavailable(next)).toBe(true);
      await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    });

    it('a new session while the database does not allow connections (55000, raised while connecting)', async () => {
      await asAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      try {
        const refused = await rejection(connect(database.url));
        expect(refused).not.toBeInstanceOf(QueryFailedError);
        expect(refused).toMatchObject({ code: '55000', severity: 'FATAL' });
        expect(isDatabaseUnavailable(refused)).toBe(true);
      } finally {
        await asAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      }
    });

    it('a role over its connection limit (53300)', async () => {
      const role = `${name}_limited`;
      await asAdmin(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 0`);
      try {
        const url = new URL(database.url);
        url.username = role;
        const error = await rejection(connect(url.href));
        expect(error).toMatchObject({ code: '53300' });
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await asAdmin(`DROP ROLE ${role}`);
      }
    });
  });

  describe('when the network path fails: unavailable', () => {
    let proxy: TcpProxy;
    let viaProxy: string;
    beforeEach(async () => {
      const server = new URL(database.url);
      proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
      server.port = String(proxy.port);
      viaProxy = server.href;
    });
    afterEach(async () => {
      await proxy.close();
    });

    it('a connection cut mid-session, then refused (ECONNREFUSED)', async () => {
      const dataSource = await connect(viaProxy);
      await proxy.cut();
      const cut = await rejection(dataSource.query('SELECT 1'));
      const refused = await rejection(dataSource.query('SELECT 1'));
      expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
      for (const error of [cut, refused]) expect(isDatabaseUnavailable(error)).toBe(true);
      await proxy.restore();
      await expect(dataSource.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
    });

    it('a hung server, bounded by the pool and query timeouts', async () => {
      const url = new URL(viaProxy);
      url.searchParams.set('query_timeout', '300');
      const dataSource = await connect(url.href, { poolSize: 1, connectTimeoutMS: 300 });
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      proxy.hang();
      const readTimeout = await rejection(runner.query('SELECT 1'));
      expect(readTimeout).toMatchObject({ message: 'Query read timeout' });
      // The only pooled connection is taken: the next checkout waits, then gives up.
      const checkout = await rejection(dataSource.query('SELECT 1'));
      expect(checkout).toMatchObject({ message: 'timeout exceeded when trying to connect' });
      for (const error of [readTimeout, checkout]) expect(isDatabaseUnavailable(error)).toBe(true);
      await runner.release();
      await proxy.restore();
    });
  });
});

/** Waits until a session of `database` runs `query`, so that terminating it interrupts it. */
async function waitForActivity(database: string, query: string): Promise<void> {
  const deadline = Date.now() + 5000;
  const sql = 'SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query = $2';
  while ((await asAdmin(sql, [database, query])).length === 0) {
    if (Date.now() > deadline) throw new Error(`no session of ${database} ran ${query}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
