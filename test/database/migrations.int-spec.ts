import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type QueryRunner } from 'typeorm';
import {
  buildDataSourceOptions,
  type DatabaseSettings,
} from '../../src/database/data-source-options.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

// A fresh PGlite database runs initdb: 1–3 s in memory, more on disk.

/** The original design's seeding SQL, verbatim. */
const ORIGINAL_SEED_SQL = `INSERT INTO rate_limits (tier_id, name, path, "limit", period, created_at) VALUES (1, 'free_widgets_create', 'api_v1_widgets', 10, 60, NOW()), (2, 'pro_widgets_create', 'api_v1_widgets', 100, 60, NOW())`;

const RULE = `INSERT INTO rate_limits (tier_id, name, path, "limit", period) VALUES ($1, $2, $3, 5, 60)`;
const PERIOD_RULE = `INSERT INTO rate_limits (tier_id, name, path, "limit", period) VALUES ($1, $2, $3, 5, $4)`;

const targets: { target: string; settings: () => Promise<DatabaseSettings> }[] = [
  { target: 'PGlite in memory', settings: () => Promise.resolve({ pgliteDataDir: 'memory://' }) },
  {
    target: 'PostgreSQL',
    settings: async () => ({ databaseUrl: (created = await createTestDatabase()).url }),
  },
];
let created: TestDatabase | undefined; // the real server's throwaway database, dropped after

describe.each(targets)('migrations on $target', ({ settings }) => {
  let dataSource: DataSource;
  let connection: QueryRunner; // one connection, so BEGIN and ROLLBACK frame the test's queries
  const sql = <T = Record<string, unknown>>(query: string, params?: unknown[]) =>
    connection.query(query, params) as Promise<T[]>;
  const indexNames = async () =>
    (await sql<{ name: string }>(`SELECT indexname AS name FROM pg_indexes`)).map((i) => i.name);
  /** Runs `body` in a transaction that is always rolled back, so tests leave no rows. */
  const rolledBack = async (body: () => Promise<void>) => {
    await sql('BEGIN');
    await body().finally(() => sql('ROLLBACK'));
  };

  beforeAll(async () => {
    dataSource = await new DataSource(buildDataSourceOptions(await settings())).initialize();
    connection = dataSource.createQueryRunner();
  });
  afterAll(async () => {
    await connection?.release();
    await dataSource?.destroy();
    await created?.drop();
    created = undefined;
  });

  it('runs every migration, leaving nothing for migration:generate', async () => {
    const ran = await dataSource.runMigrations({ transaction: 'all' });
    expect(ran.map((m) => m.name)).toEqual([
      'CreateRateLimitSchema1795765800000',
      'SeedTiersAndRules1795765900000',
      'AddCountingAlgorithm1796300000000',
      'OneLiveRulePerPeriod1796400000000',
      'AddRuleMode1796500000000',
    ]);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it('creates the tables and columns', async () => {
    const columns = await sql<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'
        AND table_name IN ('tiers', 'rate_limits') ORDER BY table_name, ordinal_position`,
    );
    const names = (table: string) =>
      columns.filter((c) => c.table_name === table).map((c) => c.column_name);
    const stamps = ['created_at', 'updated_at', 'deleted_at'];
    expect(names('tiers')).toEqual(['id', 'name', 'description', ...stamps]);
    expect(names('rate_limits')).toEqual([
      'id',
      'tier_id',
      'name',
      'path',
      'limit',
      'period',
      ...stamps,
      'algorithm',
      'burst',
      'mode',
    ]);
    expect(columns).toContainEqual(
      expect.objectContaining({
        column_name: 'updated_at',
        column_default: 'now()',
        is_nullable: 'NO',
      }),
    );
    expect(columns).toContainEqual(
      expect.objectContaining({ column_name: 'description', is_nullable: 'YES' }),
    );
  });

  it('creates the partial unique indexes and the foreign key', async () => {
    const indexes = await sql<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'UQ_%' ORDER BY indexname`,
    );
    expect(indexes.map((i) => i.indexname)).toEqual([
      'UQ_rate_limits_name_live',
      'UQ_rate_limits_tier_path_period_live',
      'UQ_tiers_name_live',
    ]);
    for (const { indexdef } of indexes) {
      expect(indexdef).toMatch(/^CREATE UNIQUE INDEX .* WHERE \(deleted_at IS NULL\)$/);
    }
    expect(indexes[1].indexdef).toContain('(tier_id, path, period)');
    const [fk] = await sql<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'FK_rate_limits_tier'`,
    );
    expect(fk.def).toBe('FOREIGN KEY (tier_id) REFERENCES tiers(id) ON DELETE RESTRICT');
  });

  it('seeds free and pro and moves the tier id sequence past them', async () => {
    expect(await sql(`SELECT id, name FROM tiers ORDER BY id`)).toEqual([
      { id: 1, name: 'free' },
      { id: 2, name: 'pro' },
    ]);
    await rolledBack(async () => {
      const [tier] = await sql(`INSERT INTO tiers (name) VALUES ('gold') RETURNING id`);
      expect(tier).toEqual({ id: 3 });
    });
  });

  it("runs the original design's seeding SQL verbatim", async () => {
    await rolledBack(async () => {
      await sql(ORIGINAL_SEED_SQL);
      const rows = await sql(`SELECT name, updated_at IS NOT NULL AS stamped FROM rate_limits
        WHERE path = 'api_v1_widgets' ORDER BY id`);
      expect(rows).toEqual([
        { name: 'free_widgets_create', stamped: true },
        { name: 'pro_widgets_create', stamped: true },
      ]);
    });
  });

  it('allows one live rule per tier, path and period, and reuse once soft-deleted', async () => {
    await rolledBack(async () => {
      await sql(RULE, [1, 'a', 'api_x']);
      await sql(PERIOD_RULE, [1, 'a_hourly', 'api_x', 3600]);
      await sql(PERIOD_RULE, [1, 'total', '*', 60]);
      await sql(`UPDATE rate_limits SET deleted_at = now() WHERE name = 'a'`);
      await sql(RULE, [1, 'a', 'api_x']);
      await expect(sql(RULE, [1, 'b', 'api_x'])).rejects.toMatchObject({
        code: '23505',
        constraint: 'UQ_rate_limits_tier_path_period_live',
      });
    });
    await rolledBack(async () => {
      await sql(RULE, [1, 'a', 'api_x']);
      await expect(sql(RULE, [2, 'a', 'api_y'])).rejects.toMatchObject({ code: '23505' });
    });
  });

  it('keeps live tier names unique, reusable once soft-deleted', async () => {
    await rolledBack(async () => {
      await sql(`UPDATE tiers SET deleted_at = now() WHERE name = 'pro'`);
      await sql(`INSERT INTO tiers (name) VALUES ('pro')`);
      await expect(sql(`INSERT INTO tiers (name) VALUES ('free')`)).rejects.toMatchObject({
        code: '23505',
        constraint: 'UQ_tiers_name_live',
      });
    });
  });

  it('counts the seeded and the originally seeded rules with the fixed window, no burst', async () => {
    await rolledBack(async () => {
      await sql(ORIGINAL_SEED_SQL);
      const counting = await sql(`SELECT DISTINCT algorithm, burst FROM rate_limits`);
      expect(counting).toEqual([{ algorithm: 'fixed-window', burst: null }]);
    });
  });

  it('enforces every rule, the originally seeded ones too, and refuses an unknown mode', async () => {
    await rolledBack(async () => {
      await sql(ORIGINAL_SEED_SQL);
      expect(await sql(`SELECT DISTINCT mode FROM rate_limits`)).toEqual([{ mode: 'enforce' }]);
    });
    await rolledBack(async () => {
      await sql(`INSERT INTO rate_limits (tier_id, name, path, "limit", period, mode)
        VALUES (1, 'try', 'api_try', 5, 60, 'shadow')`);
    });
    await rolledBack(async () => {
      await expect(
        sql(`INSERT INTO rate_limits (tier_id, name, path, "limit", period, mode)
          VALUES (1, 'try', 'api_try', 5, 60, 'dry-run')`),
      ).rejects.toMatchObject({ code: '23514', constraint: 'CHK_rate_limits_mode' });
    });
  });

  it('refuses an unknown algorithm and a burst but with gcra', async () => {
    const counting = `INSERT INTO rate_limits (tier_id, name, path, "limit", period, algorithm, burst)
      VALUES (1, 'c', 'api_c', 5, 60, $1, $2)`;
    await rolledBack(async () => {
      await sql(counting, ['gcra', 3]);
      await sql(`DELETE FROM rate_limits WHERE name = 'c'`);
      await sql(counting, ['sliding-window', null]);
    });
    for (const [algorithm, burst, constraint] of [
      ['leaky-bucket', null, 'CHK_rate_limits_algorithm'],
      ['fixed-window', 3, 'CHK_rate_limits_burst'],
      ['gcra', 0, 'CHK_rate_limits_burst'],
    ] as const)
      await rolledBack(async () => {
        await expect(sql(counting, [algorithm, burst])).rejects.toMatchObject({
          code: '23514',
          constraint,
        });
      });
  });

  it('refuses a rule for a missing tier', async () => {
    await expect(sql(RULE, [99, 'orphan', 'api_x'])).rejects.toMatchObject({
      code: '23503',
      constraint: 'FK_rate_limits_tier',
    });
  });

  it('refuses to revert to one rule per tier and path while a path has several, naming them', async () => {
    await sql(PERIOD_RULE, [1, 'd_burst', 'api_d', 1]);
    await sql(PERIOD_RULE, [1, 'd_sustained', 'api_d', 3600]);
    await sql(PERIOD_RULE, [2, 'e_live', 'api_e', 60]);
    await sql(PERIOD_RULE, [2, 'e_gone', 'api_e', 3600]);
    await sql(`UPDATE rate_limits SET deleted_at = now() WHERE name = 'e_gone'`);
    // The mode column goes first, the newest migration.
    await dataSource.undoLastMigration();
    await expect(dataSource.undoLastMigration()).rejects.toThrow(
      'Cannot restore one live rule per tier and path: delete all but one of each ' +
        '(tier 1 path api_d: d_burst, d_sustained)',
    );
    expect(await indexNames()).toContain('UQ_rate_limits_tier_path_period_live');
    // Soft-deleted rows do not count: the old index covers live rows only.
    await sql(`UPDATE rate_limits SET deleted_at = now() WHERE name = 'd_sustained'`);
    await dataSource.undoLastMigration();
    expect(await indexNames()).toContain('UQ_rate_limits_tier_path_live');
    expect(await indexNames()).not.toContain('UQ_rate_limits_tier_path_period_live');
    await expect(sql(PERIOD_RULE, [1, 'd_again', 'api_d', 3600])).rejects.toMatchObject({
      code: '23505',
      constraint: 'UQ_rate_limits_tier_path_live',
    });
    await sql(`DELETE FROM rate_limits WHERE path IN ('api_d', 'api_e')`);
    expect(await dataSource.runMigrations()).toHaveLength(2);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it('refuses to revert the seed while other rules use its tiers', async () => {
    await sql(ORIGINAL_SEED_SQL);
    // The mode, the index and the counting columns go first (the newest migrations), the rules stay.
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
    await expect(dataSource.undoLastMigration()).rejects.toThrow(
      'rules still use them (free_widgets_create, pro_widgets_create)',
    );
    await sql(`DELETE FROM rate_limits WHERE path = 'api_v1_widgets'`);
    expect(await dataSource.runMigrations()).toHaveLength(3);
  });

  it('reverts every migration, then runs them again', async () => {
    for (let undone = 0; undone < 5; undone += 1) await dataSource.undoLastMigration();
    const tables = await sql(`SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' ORDER BY table_name`);
    expect(tables).toEqual([{ table_name: 'migrations' }]);
    expect(await dataSource.runMigrations()).toHaveLength(5);
    expect(await sql(`SELECT count(*)::int AS n FROM rate_limits`)).toEqual([{ n: 2 }]);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
