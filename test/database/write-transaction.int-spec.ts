import { DataSource, type EntityManager } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import {
  isDatabaseUnavailable,
  uniqueViolation,
} from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/database-errors.js';
import {
  lockLiveTier,
  type TierLock,
} from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/tier-lock.js';
import { inWriteTransaction } from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/write-transaction.js';
import { RateLimit, Tier } from 'nest-tier-rate-limit/rules';
import { asAdmin, createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

// src/rate-limit-admin/write-transaction.ts and tier-lock.ts on the databases the app runs on:
// what waits for what, and what the admin API's error mapping still sees from inside.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tier = (manager: EntityManager, name: string) => manager.save(manager.create(Tier, { name }));
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => Promise.reject(new Error('expected a rejection')),
    (error: unknown) => error,
  );

/** Polls until a session of `database` waits for a row lock. */
async function untilLockWait(database: string): Promise<void> {
  const sql = `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`;
  const deadline = Date.now() + 5000;
  while ((await asAdmin(sql, [database])).length === 0) {
    if (Date.now() > deadline) throw new Error('no session waited for a lock');
    await sleep(10);
  }
}

describe('admin write transactions on PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let name: string;
  const write = <T>(work: (manager: EntityManager) => Promise<T>) =>
    inWriteTransaction(dataSource.manager, work);

  beforeAll(async () => {
    database = await createTestDatabase();
    name = new URL(database.url).pathname.slice(1);
    const options = buildDataSourceOptions({ databaseUrl: database.url });
    dataSource = await new DataSource({ ...options, migrationsRun: true }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /**
   * Runs `first` holding the tier `lock`ed until another session waits for it, and starts
   * `second` once it is held; answers what `second` answered.
   */
  async function inTurn<T>(
    id: number,
    lock: TierLock,
    first: (manager: EntityManager) => Promise<unknown>,
    second: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    let held!: () => void;
    const locked = new Promise<void>((resolve) => (held = resolve));
    const holder = write(async (manager) => {
      await lockLiveTier(manager, { id }, lock);
      held();
      await untilLockWait(name);
      await first(manager);
    });
    await locked;
    const [answer] = await Promise.all([write(second), holder]);
    return answer;
  }

  it('makes a rule write wait for a tier delete, then find the tier gone', async () => {
    const { id } = await tier(dataSource.manager, 'deleted-first');
    let deleted = false;
    const remove = async (manager: EntityManager) => {
      await manager.softDelete(Tier, { id });
      deleted = true;
    };
    const seen = await inTurn(id, 'change', remove, async (manager) => {
      const found = await lockLiveTier(manager, { id }, 'attach');
      return [deleted, found];
    });
    expect(seen).toEqual([true, null]);
  });

  it('makes a tier delete wait for a rule write, then see its rule', async () => {
    const { id } = await tier(dataSource.manager, 'attached-first');
    const rule = { tierId: id, name: 'attached-rule', path: 'x', limit: 1, period: 1 };
    const attach = (manager: EntityManager) => manager.save(manager.create(RateLimit, rule));
    const seen = await inTurn(id, 'attach', attach, async (manager) => {
      await lockLiveTier(manager, { id }, 'change');
      return manager.findBy(RateLimit, { tierId: id });
    });
    expect(seen.map(({ name }) => name)).toEqual(['attached-rule']);
  });

  it('rethrows a unique violation from inside with its constraint', async () => {
    const error = await rejection(write((manager) => tier(manager, 'free')));
    expect(uniqueViolation(error)).toBe('UQ_tiers_name_live');
  });

  it('rethrows a session ended mid-write as unavailable, not the failed ROLLBACK', async () => {
    const error = await rejection(
      write(async (manager) => {
        await lockLiveTier(manager, { id: 1 }, 'attach');
        await manager.query('SELECT pg_terminate_backend(pg_backend_pid())');
      }),
    );
    expect(error).toMatchObject({ driverError: { code: '57P01' } });
    expect(isDatabaseUnavailable(error)).toBe(true);
    // The pool may hand the dead connection out once more (an outage too); then it recovers.
    const attach = () => write((manager) => lockLiveTier(manager, { id: 1 }, 'attach'));
    await attach().catch(() => undefined);
    expect(await attach()).toMatchObject({ name: 'free' });
  });
});

describe('admin write transactions on PGlite (one session)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const options = buildDataSourceOptions({ pgliteDataDir: 'memory://' });
    dataSource = await new DataSource({ ...options, migrationsRun: true }).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it("runs writes one at a time, so one's ROLLBACK never undoes another's write", async () => {
    const steps: string[] = [];
    const failing = inWriteTransaction(dataSource.manager, async (manager) => {
      steps.push('failing starts');
      await lockLiveTier(manager, { id: 1 }, 'change');
      await tier(manager, 'rolled-back');
      await sleep(30);
      steps.push('failing throws');
      throw new Error('rolled back');
    });
    const kept = inWriteTransaction(dataSource.manager, async (manager) => {
      steps.push('kept starts');
      await lockLiveTier(manager, { id: 1 }, 'attach');
      return tier(manager, 'kept');
    });
    await expect(failing).rejects.toThrow('rolled back');
    await expect(kept).resolves.toMatchObject({ name: 'kept' });
    const names = (await dataSource.manager.find(Tier)).map((row) => row.name);
    expect(names).toContain('kept');
    expect(names).not.toContain('rolled-back');
    expect(steps).toEqual(['failing starts', 'failing throws', 'kept starts']);
  });
});
