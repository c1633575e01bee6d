import pg from 'pg';

/** The real PostgreSQL server the tests may create databases on (trust auth on loopback). */
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database of its own on the real server, for one test run. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops it, closing any connection left open. */
  drop(): Promise<void>;
}

/** Runs `sql` as the server's superuser, over a connection of its own; resolves with the rows. */
export async function asAdmin(sql: string, values: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client(PG_ADMIN_URL);
  await client.connect();
  const result = await client.query(sql, values).finally(() => client.end());
  return result.rows as unknown[];
}

/** Creates a fresh, empty database `rl_test_<time>_<random>` on the real server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rl_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: async () => {
      await asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
