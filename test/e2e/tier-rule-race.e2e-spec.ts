import { DataSource } from 'typeorm';
import { SUPERUSER } from '../support/admin-client.js';
import { type RunningDemo, startDemo } from '../support/demo-app.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';

/** Each case's time bound, well under Jest's 30 s. */
const CASE_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply {
  status: number;
  body: { id?: number; name?: string; tierId?: number; message?: string };
}

/** A rule write prepared for a fresh tier, run at the same time as the tier's DELETE. */
interface Racer {
  rule: string;
  write(): Promise<Reply>;
}

/**
 * Where the demo keeps its rules (a fresh database on the real server, or embedded PGlite), and
 * how many races to run there. On PostgreSQL, 64 hit the window in most runs before the fix; on
 * PGlite (one session, so its writes are queued) fewer show that nothing deadlocks or hangs.
 */
const databases: [string, () => Promise<TestDatabase | undefined>, number][] = [
  ['PostgreSQL', createTestDatabase, 64],
  ['PGlite', () => Promise.resolve(undefined), 16],
];

// The race is between database sessions, not HTTP adapters: one adapter keeps it fast.
describe.each(databases)('tier DELETE racing a rule write, on %s', (_, create, runs) => {
  let database: TestDatabase | undefined;
  let demo: RunningDemo;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${(counter += 1)}`;

  async function call(method: string, path: string, body?: unknown): Promise<Reply> {
    const response = await demo.request(method, `/api/v1${path}`, { token: SUPERUSER, body });
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' ? {} : JSON.parse(text)) as Reply['body'],
    };
  }
  async function created(path: string, body: object): Promise<Reply['body']> {
    const reply = await call('POST', path, body);
    expect(reply.status).toBe(201);
    return reply.body;
  }
  const ruleOn = (tierId: number) => {
    const name = unique('rule');
    return { name, tierId, path: `/api/v1/${name}`, limit: 5, period: 60 };
  };

  /** Live rules whose tier is deleted: what a lost race leaves behind, read from the tables. */
  async function orphans(): Promise<string[]> {
    const rows: { name: string }[] = await demo.app.get(DataSource).query(
      `SELECT r.name FROM rate_limits r JOIN tiers t ON t.id = r.tier_id
        WHERE r.deleted_at IS NULL AND t.deleted_at IS NOT NULL ORDER BY r.id`,
    );
    return rows.map((row) => row.name);
  }

  /**
   * `runs` times: makes a fresh tier, prepares a rule write onto it, then runs that write and the
   * tier's DELETE at once. Each pair must end one way or the other (the write, then a 409 naming
   * the rule; or the DELETE, then a 404), and what was answered must be what was stored. Answers
   * how often each pair of statuses came, and what each run that broke a rule saw.
   */
  async function race(prepare: (tierId: number) => Racer | Promise<Racer>, written: number) {
    const outcomes: Record<string, number> = {};
    const broken: string[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const tier = await created('/tiers', { name: unique('race') });
      const { rule, write } = await prepare(tier.id!);
      // The DELETE starts 0 to 3 ms after the write, so that the two meet at different points.
      const remove = sleep(run % 4).then(() => call('DELETE', `/tiers/${tier.name}`));
      const [reply, deleted] = await Promise.all([write(), remove]);
      const outcome = `${reply.status}/${deleted.status}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;

      const answered =
        reply.status === written
          ? deleted.status === 409 &&
            deleted.body.message === `Tier "${tier.name}" is used by live rate limits: ${rule}`
          : reply.status === 404 &&
            reply.body.message === `Tier ${tier.id} not found` &&
            deleted.status === 204;
      if (!answered) broken.push(`run ${run}: ${outcome} ${JSON.stringify(deleted.body)}`);
      const stored = await call('GET', `/rate-limits/${rule}`);
      const onTier = stored.status === 200 && stored.body.tierId === tier.id;
      const tierLive = (await call('GET', `/tiers/${tier.name}`)).status === 200;
      if (onTier !== (reply.status === written) || tierLive !== (deleted.status !== 204)) {
        broken.push(`run ${run}: ${outcome} but rule on tier: ${onTier}, tier live: ${tierLive}`);
      }
    }
    console.log(`${expect.getState().currentTestName}, ${runs} runs: %j`, outcomes);
    return { outcomes, broken };
  }

  beforeAll(async () => {
    database = await create();
    demo = await startDemo(database === undefined ? {} : { DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await demo?.close();
    await database?.drop();
  });

  it(
    'never both creates a rule for the tier (POST) and deletes the tier',
    async () => {
      const { outcomes, broken } = await race((tierId) => {
        const body = ruleOn(tierId);
        return { rule: body.name, write: () => call('POST', '/rate-limits', body) };
      }, 201);
      expect(outcomes['201/204']).toBeUndefined();
      expect(broken).toEqual([]);
      expect(await orphans()).toEqual([]);
    },
    CASE_MS,
  );

  it(
    'never both moves a rule onto the tier (PATCH tierId) and deletes the tier',
    async () => {
      const home = await created('/tiers', { name: unique('home') });
      const { outcomes, broken } = await race(async (tierId) => {
        const { name } = await created('/rate-limits', ruleOn(home.id!));
        return { rule: name!, write: () => call('PATCH', `/rate-limits/${name}`, { tierId }) };
      }, 200);
      expect(outcomes['200/204']).toBeUndefined();
      expect(broken).toEqual([]);
      expect(await orphans()).toEqual([]);
    },
    CASE_MS,
  );
});
