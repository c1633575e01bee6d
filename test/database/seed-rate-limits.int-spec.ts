import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import {
  EXAMPLE_RULES,
  main,
  parseRuleSeeds,
  RuleSeedError,
  upsertRules,
  type RuleSeed,
} from '../../scripts/seed-rate-limits.js';

// A fresh PGlite database runs initdb: 1–3 s in memory, more on disk.

const entry = {
  tier: 'free',
  name: 'free_gadgets',
  path: '/api/v1/gadgets/',
  limit: 5,
  period: 60,
};
const rule = (overrides: Partial<RuleSeed> = {}): RuleSeed => ({
  ...entry,
  path: 'api_v1_gadgets',
  algorithm: 'fixed-window',
  burst: null,
  ...overrides,
});

describe('parseRuleSeeds', () => {
  it('accepts entries and sanitizes paths and templates', () => {
    const template = { ...entry, name: 'read', path: '/api/v1/gadgets/:id' };
    expect(parseRuleSeeds([entry, template])).toEqual([
      rule(),
      rule({ name: 'read', path: 'api_v1_gadgets_{id}' }),
    ]);
  });

  it('takes an algorithm, and a burst with gcra', () => {
    const gcra = { ...entry, algorithm: 'gcra', burst: 3 };
    const sliding = { ...entry, name: 'sliding', algorithm: 'sliding-window' };
    expect(parseRuleSeeds([gcra, sliding])).toEqual([
      rule({ algorithm: 'gcra', burst: 3 }),
      rule({ name: 'sliding', algorithm: 'sliding-window' }),
    ]);
  });

  it.each([
    ['limit 0', { ...entry, limit: 0 }, 'rules[0].limit: must be a positive integer (got 0)'],
    ['period 1.5', { ...entry, period: 1.5 }, 'rules[0].period: must be a positive integer'],
    [
      'limit "10"',
      { ...entry, limit: '10' },
      'rules[0].limit: must be a positive integer (got "10")',
    ],
    ['no name', { ...entry, name: undefined }, 'rules[0].name: must be a string'],
    ['an empty tier', { ...entry, tier: '' }, 'rules[0].tier: must be a tier name'],
    ['path "///"', { ...entry, path: '///' }, 'rules[0].path: must be a path'],
    ['an unknown field', { ...entry, tierId: 1 }, 'rules[0].tierId: unknown field'],
    ['a string', 'free', 'rules[0]: must be an object'],
    [
      'a path holding * beside other characters',
      { ...entry, path: '/api/*' },
      `rules[0].path: may hold "*" only alone, for the tier's total budget across every route`,
    ],
    [
      'an unknown algorithm',
      { ...entry, algorithm: 'leaky-bucket' },
      'rules[0].algorithm: must be one of fixed-window, sliding-window, gcra, got "leaky-bucket"',
    ],
    [
      'a burst with the fixed window',
      { ...entry, burst: 3 },
      'rules[0].burst: applies to the gcra algorithm only',
    ],
    [
      'a zero burst',
      { ...entry, algorithm: 'gcra', burst: 0 },
      'rules[0].burst: must be a positive integer, got 0',
    ],
  ])('rejects %s, naming the field', (_label, bad, message) => {
    expect(() => parseRuleSeeds([bad])).toThrow(new RuleSeedError(message).message);
  });

  it('keeps * (or /*) as *, the total budget', () => {
    expect(parseRuleSeeds([{ ...entry, path: '/*' }])).toEqual([rule({ path: '*' })]);
  });

  it('rejects a non-array and a name given twice', () => {
    expect(() => parseRuleSeeds({ rules: [] })).toThrow('must be a JSON array');
    expect(() => parseRuleSeeds([entry, entry])).toThrow(
      'rules[1].name: "free_gadgets" given twice',
    );
  });
});

describe('upsertRules on PGlite', () => {
  let dataSource: DataSource;
  const rows = () =>
    dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM rate_limits WHERE path LIKE 'api_v1_gadgets%' ORDER BY id`,
    );

  beforeAll(async () => {
    dataSource = new DataSource(buildDataSourceOptions({ pgliteDataDir: 'memory://' }));
    await dataSource.initialize();
    await dataSource.runMigrations();
  });
  afterAll(() => dataSource?.destroy());

  it('is idempotent: a second run changes nothing', async () => {
    const rules = [rule(), rule({ tier: 'pro', name: 'pro_gadgets', limit: 50 })];
    const first = await upsertRules(dataSource, rules);
    expect(first.map((o) => o.action)).toEqual(['created', 'created']);
    const before = await rows();
    const second = await upsertRules(dataSource, rules);
    expect(second.map((o) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(await rows()).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('updates a rule found by name, keeping its id', async () => {
    const [before] = await rows();
    const [outcome] = await upsertRules(dataSource, [rule({ limit: 7, period: 30 })]);
    expect(outcome.action).toBe('updated');
    const [after] = await rows();
    expect(after).toMatchObject({ id: before.id, limit: 7, period: 30 });
    expect(after.updated_at).not.toEqual(before.updated_at);
  });

  it('stores an algorithm and burst, and updates a rule whose counting alone changed', async () => {
    const gcra = rule({ limit: 7, period: 30, algorithm: 'gcra', burst: 2 });
    expect((await upsertRules(dataSource, [gcra]))[0].action).toBe('updated');
    expect((await upsertRules(dataSource, [gcra]))[0].action).toBe('unchanged');
    expect((await rows())[0]).toMatchObject({ algorithm: 'gcra', burst: 2 });
    const back = rule({ limit: 7, period: 30 });
    expect((await upsertRules(dataSource, [back]))[0].action).toBe('updated');
    expect((await rows())[0]).toMatchObject({ algorithm: 'fixed-window', burst: null });
  });

  it('creates a new rule when the one of that name is soft-deleted', async () => {
    await dataSource.query(`UPDATE rate_limits SET deleted_at = now() WHERE name = 'free_gadgets'`);
    const [outcome] = await upsertRules(dataSource, [rule()]);
    expect(outcome.action).toBe('created');
  });

  it('names an unknown tier and writes nothing', async () => {
    const before = await rows();
    const batch = [rule({ name: 'fine', path: 'api_v1_gadgets_x' }), rule({ tier: 'gold' })];
    await expect(upsertRules(dataSource, batch)).rejects.toThrow(
      new RuleSeedError('rule "free_gadgets": unknown tier "gold"'),
    );
    expect(await rows()).toEqual(before);
  });

  it('refuses a second live rule for the same tier, path and period', async () => {
    await expect(upsertRules(dataSource, [rule({ name: 'other' })])).rejects.toThrow(
      'rule "other": tier "free" already has another live rule for "api_v1_gadgets" and period 60',
    );
  });

  it('creates several periods of one path, and a total budget, idempotently', async () => {
    const rules = [
      rule({ name: 'free_gizmos_burst', path: 'api_v1_gizmos', limit: 2, period: 1 }),
      rule({ name: 'free_gizmos_daily', path: 'api_v1_gizmos', limit: 500, period: 86_400 }),
      rule({ name: 'free_total', path: '*', limit: 1000, period: 3600 }),
    ];
    const first = await upsertRules(dataSource, rules);
    expect(first.map((o) => o.action)).toEqual(['created', 'created', 'created']);
    const second = await upsertRules(dataSource, rules);
    expect(second.map((o) => o.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const live = await dataSource.query<{ name: string }[]>(
      `SELECT name FROM rate_limits WHERE path IN ('api_v1_gizmos', '*') AND deleted_at IS NULL
        ORDER BY id`,
    );
    expect(live.map((r) => r.name)).toEqual(rules.map((r) => r.name));
  });
});

describe('the command line', () => {
  let dir: string;
  const run = async (...args: string[]) => {
    const io = { out: [] as string[], err: [] as string[] };
    const env = { PGLITE_DATA_DIR: join(dir, 'db') };
    const push = (into: string[]) => (line: string) => void into.push(line);
    const status = await main(args, env, { out: push(io.out), err: push(io.err) });
    return { status, ...io };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rl-seed-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('migrates, seeds the example rules, and reports them unchanged the second time', async () => {
    const first = await run();
    expect(first).toMatchObject({ status: 0, err: [] });
    expect(first.out).toEqual(
      EXAMPLE_RULES.map((r) => expect.stringMatching(`^created ${r.name} `)),
    );
    const second = await run();
    expect(second.out).toEqual(
      EXAMPLE_RULES.map((r) => expect.stringMatching(`^unchanged ${r.name}`)),
    );
  });

  it('reads rules from a file and exits 1 on a bad entry, naming it', async () => {
    const file = join(dir, 'rules.json');
    await writeFile(file, JSON.stringify([entry]));
    expect((await run(file)).out).toEqual([
      'created free_gadgets (tier free, api_v1_gadgets: 5 per 60s)',
    ]);
    await writeFile(file, JSON.stringify([{ ...entry, period: -1 }]));
    expect(await run(file)).toMatchObject({
      status: 1,
      err: ['seed-rate-limits: rules[0].period: must be a positive integer (got -1)'],
    });
  });

  it('exits 1 on a DATABASE_URL the app refuses, naming it', async () => {
    const io = { out: [] as string[], err: [] as string[] };
    const env = { DATABASE_URL: 'mysql://root@127.0.0.1/app' };
    const push = (into: string[]) => (line: string) => void into.push(line);
    expect(await main([], env, { out: push(io.out), err: push(io.err) })).toBe(1);
    expect(io).toEqual({
      out: [],
      err: [
        'seed-rate-limits: DATABASE_URL must be a URL starting with postgres:// or postgresql:// ' +
          '(got "mysql://root@127.0.0.1/app")',
      ],
    });
  });

  it('prints the usage for --help, and exits 2 on extra arguments', async () => {
    expect(await run('--help')).toMatchObject({
      status: 0,
      out: [expect.stringMatching(/^Usage/)],
    });
    expect(await run('a.json', 'b.json')).toMatchObject({ status: 2 });
  });
});
