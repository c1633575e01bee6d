import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { DEVELOPMENT_JWT_SECRET } from '../src/auth/jwt-secret.js';
import { ensureDemoBuilt } from './support/demo-build.js';
import { BUILT, runNode } from './support/built-script.js';
import { createTestDatabase, type TestDatabase } from './support/postgres-database.js';

// The server, the token script, the TypeORM CLI and the seed script, each run from the build in
// a working directory of its own holding a `.env`: all read it, under the process environment.

const FILE_SECRET = 'secret-from-the-env-file-0123';
const PROCESS_SECRET = 'secret-from-the-process-env-4567';
/** A PostgreSQL URL nothing listens on: whoever uses it fails at once. */
const NOWHERE = 'postgres://postgres@127.0.0.1:1/nowhere';

let cwd: string;
const writeEnvFile = (lines: string[]) => writeFile(join(cwd, '.env'), `${lines.join('\n')}\n`);
const run = (args: string[], env: Record<string, string> = {}) => runNode(args, { cwd, env });
const verify = (token: string, secret: string) =>
  jwt.verify(token.trim(), secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
/** Runs `sql` on `database` over a connection of its own; resolves with the rows. */
async function query<T>(database: TestDatabase, sql: string): Promise<T[]> {
  const client = new pg.Client(database.url);
  await client.connect();
  return (await client.query(sql).finally(() => client.end())).rows as T[];
}
const tablesOf = async (database: TestDatabase) => {
  const sql = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
  return (await query<{ table_name: string }>(database, sql)).map((row) => row.table_name).sort();
};

beforeAll(async () => {
  // Building dist/ from scratch takes a minute or two on a loaded 2-core machine.
  await ensureDemoBuilt();
}, 300_000);
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'rl-env-file-'));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

describe('the server', () => {
  it('validates the variables of .env and exits, naming the bad one', async () => {
    await writeEnvFile(['PORT=not-a-port', 'PGLITE_DATA_DIR=memory://']);
    const { code, stderr } = await run([BUILT.server]);
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be an integer from 1 to 65535 (got "not-a-port")');
  });

  it('takes a variable of the process environment over that of .env', async () => {
    await writeEnvFile(['PORT=not-a-port', 'PGLITE_DATA_DIR=memory://']);
    const { code, stderr } = await run([BUILT.server], { PORT: '70000' });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT must be an integer from 1 to 65535 (got "70000")');
  });

  it('stops on half a total budget in .env, in one line naming the missing variable', async () => {
    await writeEnvFile(['DEFAULT_RATE_LIMIT_TOTAL_LIMIT=1000', 'PGLITE_DATA_DIR=memory://']);
    const { code, stderr } = await run([BUILT.server]);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([
      'DEFAULT_RATE_LIMIT_TOTAL_PERIOD must be set when DEFAULT_RATE_LIMIT_TOTAL_LIMIT is set',
    ]);
  });
});

describe('npm run token', () => {
  it('signs with the JWT_SECRET of .env', async () => {
    await writeEnvFile([`JWT_SECRET=${FILE_SECRET}`]);
    const { code, stdout, stderr } = await run([BUILT.token, '--sub', '42', '--tier-id', '2']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(verify(stdout, FILE_SECRET)).toMatchObject({ sub: '42', tierId: 2 });
  });

  it('signs with the process environment JWT_SECRET when both are set', async () => {
    await writeEnvFile([`JWT_SECRET=${FILE_SECRET}`]);
    const { code, stdout } = await run([BUILT.token, '--sub', '42'], {
      JWT_SECRET: PROCESS_SECRET,
    });
    expect(code).toBe(0);
    expect(verify(stdout, PROCESS_SECRET).sub).toBe('42');
    expect(() => verify(stdout, FILE_SECRET)).toThrow('invalid signature');
  });

  it('keeps a variable of the process environment set to empty: unset, as for the server', async () => {
    await writeEnvFile([`JWT_SECRET=${FILE_SECRET}`]);
    const { code, stdout, stderr } = await run([BUILT.token, '--sub', '1'], { JWT_SECRET: '' });
    expect(code).toBe(0);
    expect(verify(stdout, DEVELOPMENT_JWT_SECRET).sub).toBe('1');
    expect(stderr).toContain('JWT_SECRET is not set');
  });

  it('runs as before without a .env', async () => {
    const { code, stdout } = await run([BUILT.token, '--sub', '1'], { JWT_SECRET: PROCESS_SECRET });
    expect(code).toBe(0);
    expect(verify(stdout, PROCESS_SECRET).sub).toBe('1');
  });

  it('enforces the JWT_MAX_LIFETIME of .env', async () => {
    await writeEnvFile([`JWT_SECRET=${FILE_SECRET}`, 'JWT_MAX_LIFETIME=600']);
    const { code, stderr } = await run([BUILT.token, '--sub', '1', '--expires-in', '11m']);
    expect(code).toBe(2);
    expect(stderr).toContain('longer than the app accepts (JWT_MAX_LIFETIME=600)');
  });

  it('refuses a JWT_SECRET of .env that the server refuses', async () => {
    await writeEnvFile(['JWT_SECRET=short']);
    const { code, stdout, stderr } = await run([BUILT.token, '--sub', '1']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('token: JWT_SECRET must be at least 16 characters (got 5 characters)');
  });
});

describe('npm run migration:* (the TypeORM CLI on the built data source)', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => database.drop());
  const typeorm = (command: string, env?: Record<string, string>) =>
    run([BUILT.typeormCli, command, '-d', BUILT.dataSource], env);

  it('uses the DATABASE_URL of .env, and no ./data/ is created', async () => {
    await writeEnvFile([`DATABASE_URL=${database.url}`]);
    const shown = await typeorm('migration:show');
    expect(shown).toMatchObject({ code: 0, stdout: expect.stringMatching(/\[ \] CreateRate/) });
    // Only a database the CLI reached has its migrations table.
    expect(await tablesOf(database)).toEqual(['migrations']);
    expect(await typeorm('migration:run')).toMatchObject({ code: 0 });
    expect(await tablesOf(database)).toEqual(['migrations', 'rate_limits', 'tiers']);
    expect((await typeorm('migration:show')).stdout).toMatch(/\[X\] 2 SeedTiersAndRules/);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('uses the process environment DATABASE_URL over that of .env', async () => {
    await writeEnvFile([`DATABASE_URL=${NOWHERE}`]);
    const ran = await typeorm('migration:run', { DATABASE_URL: database.url });
    expect(ran).toMatchObject({ code: 0 });
    expect(await tablesOf(database)).toEqual(['migrations', 'rate_limits', 'tiers']);
  });

  it('refuses a DATABASE_URL of .env that the server refuses, naming it', async () => {
    await writeEnvFile(['DATABASE_URL=mysql://root@127.0.0.1/app']);
    const { code, stdout, stderr } = await typeorm('migration:show');
    expect(code).toBe(1);
    expect(stdout + stderr).toContain(
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://',
    );
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});

describe('npm run seed:rate-limits', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => database.drop());

  it('migrates and seeds the DATABASE_URL of .env, and no ./data/ is created', async () => {
    await writeEnvFile([`DATABASE_URL=${database.url}`]);
    const { code, stdout, stderr } = await run([BUILT.seedRateLimits]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^created free_widgets_create .*\ncreated pro_widgets_create /);
    const rules = await query(database, `SELECT name FROM rate_limits`);
    const seeded = [{ name: 'free_widgets_create' }, { name: 'pro_widgets_create' }];
    expect(rules).toEqual(expect.arrayContaining(seeded));
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('uses the process environment DATABASE_URL over that of .env', async () => {
    await writeEnvFile([`DATABASE_URL=${NOWHERE}`]);
    const seeded = await run([BUILT.seedRateLimits], { DATABASE_URL: database.url });
    expect(seeded).toMatchObject({ code: 0, stderr: '' });
    expect(await tablesOf(database)).toEqual(['migrations', 'rate_limits', 'tiers']);
  });

  it('without DATABASE_URL, seeds PGlite in the PGLITE_DATA_DIR of .env', async () => {
    await writeEnvFile(['PGLITE_DATA_DIR=./from-env-file/']);
    const { code, stdout } = await run([BUILT.seedRateLimits]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^created free_widgets_create /);
    expect(existsSync(join(cwd, 'from-env-file', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});
