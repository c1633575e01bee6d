/**
 * The image without a Docker engine: the Dockerfile's stages replayed here (their COPY lines,
 * the build, the runtime's production-only `npm ci` against the registry), then the runtime
 * stage's CMD started as docker-compose.yml configures it. Proves the production dependency set
 * and the copied files are enough to serve; not the base image, users or file ownership.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/demo-build.js';
import { startMemcachedServer } from '../support/memcached-server.js';
import { createTestDatabase } from '../support/postgres-database.js';
import { startRedisServer } from '../support/redis-server.js';
import { environmentOf, interpolate, readCompose } from './compose.js';
import { healthcheckCommand, readDockerfile } from './dockerfile.js';
import { exitCodeOf, type ImageApp, startImageApp } from './image-app.js';
import { type ReplayedImage, replayImage, run } from './replay-image.js';

const JWT_SECRET = 'deploy-test-secret-of-32-characters';

/** Packages the JavaScript under `dir` imports (static and dynamic), `node:` built-ins aside. */
async function bareImports(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.js'));
  const names = new Set<string>();
  for (const file of files) {
    const code = await readFile(join(dir, file), 'utf8');
    for (const [, specifier = ''] of code.matchAll(/(?:\bfrom|\bimport\(?)\s*'([^'.][^']*)'/g)) {
      if (specifier.startsWith('node:')) continue;
      names.add(/^(@[^/]+\/[^/]+|[^/]+)/.exec(specifier)![1]);
    }
  }
  return [...names].sort();
}
/** The app service's environment from docker-compose.yml, interpolated with these variables. */
const composeEnv = (variables: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(environmentOf(readCompose().services.app)).map(([name, value]) => [
      name,
      interpolate(value, { JWT_SECRET, ...variables }),
    ]),
  );

describe('the image, replayed from the Dockerfile', () => {
  let image: ReplayedImage;
  const apps: ImageApp[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startImageApp(image, env);
    apps.push(app);
    return app;
  };
  const health = async (app: ImageApp) => {
    const response = await fetch(`${app.url}/api/v1/health`);
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    image = await replayImage();
  }, 400_000);
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.stop()));
  });
  afterAll(async () => {
    if (image !== undefined) await rm(image.root, { recursive: true, force: true });
  });

  it('holds production dependencies only, the workspace package linked to its build', () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && (entry.dev === true || entry.devOptional === true))
      .map(([path]) => path);
    expect(devOnly).toContain('node_modules/typescript');
    expect(devOnly.filter((path) => existsSync(join(image.dir, path)))).toEqual([]);
    const entry = join(image.dir, 'node_modules/nest-tier-rate-limit/dist/rate-limit/index.js');
    expect(existsSync(entry)).toBe(true);
  });

  it("imports, from the demo's build, only packages the root package.json declares", async () => {
    const { dependencies } = JSON.parse(readFileSync(join(image.dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = await bareImports(join(image.dir, 'dist'));
    expect(imported.filter((name) => !existsSync(join(image.dir, 'node_modules', name)))).toEqual(
      [],
    );
    expect(imported.filter((name) => !(name in dependencies))).toEqual([]);
  });

  it('serves /api/v1/health with the embedded database and memory counters', async () => {
    const app = await start({ JWT_SECRET, PGLITE_DATA_DIR: 'memory://' });
    expect(await health(app)).toEqual({
      status: 200,
      body: {
        status: 'ok',
        rateLimitStore: { backend: 'memory', status: 'up' },
        database: { status: 'up' },
      },
    });
    // The image's HEALTHCHECK, run as Docker would: healthy now, unhealthy once the app is gone.
    const probe = healthcheckCommand(readDockerfile().at(-1)!)!;
    const probeEnv = { ...image.env, PORT: String(app.port) };
    expect(await exitCodeOf(probe, image.dir, probeEnv)).toBe(0);
    await app.stop();
    expect(await exitCodeOf(probe, image.dir, probeEnv)).toBe(1);
  }, 90_000);

  it("keeps the embedded database in ./data/, writable by the image's non-root user", async () => {
    expect(image.user === undefined ? process.getuid?.() : image.user.uid).not.toBe(0);
    const app = await start({ JWT_SECRET });
    expect(await health(app)).toMatchObject({ status: 200, body: { database: { status: 'up' } } });
    expect((await readdir(join(image.dir, 'data'))).length).toBeGreaterThan(0);
  }, 90_000);

  it('mints, with the command docker-compose.yml documents, tokens the app accepts', async () => {
    const app = await start({ JWT_SECRET, PGLITE_DATA_DIR: 'memory://' });
    const env = { PATH: process.env.PATH ?? '', ...image.env, JWT_SECRET };
    const mint = (...args: string[]) =>
      run(process.execPath, ['dist/scripts/token.js', ...args], image.dir, env, 20_000);
    const token = (await mint('--sub', '42', '--tier-id', '2')).trim();
    const widgets = (bearer: string) =>
      fetch(`${app.url}/api/v1/widgets`, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await widgets(token)).status).toBe(200);
    expect((await widgets(`${token.slice(0, -2)}xx`)).status).toBe(401);
    const admin = (await mint('--sub', '1', '--superuser')).trim();
    expect(
      (await fetch(`${app.url}/api/v1/health`, { headers: { authorization: `Bearer ${admin}` } }))
        .status,
    ).toBe(200);
  }, 90_000);

  it('runs with the compose environment against PostgreSQL and Redis', async () => {
    const [redis, database] = await Promise.all([startRedisServer(), createTestDatabase()]);
    try {
      const app = await start({
        ...composeEnv(),
        DATABASE_URL: database.url,
        RATE_LIMITER_REDIS_HOST: '127.0.0.1',
        RATE_LIMITER_REDIS_PORT: String(redis.port),
      });
      expect(await health(app)).toEqual({
        status: 200,
        body: {
          status: 'ok',
          rateLimitStore: { backend: 'redis', status: 'up' },
          database: { status: 'up' },
        },
      });
      await app.stop();
    } finally {
      await Promise.all([redis.close(), database.drop()]);
    }
  }, 90_000);

  it('counts in Memcached with RATE_LIMITER_BACKEND=memcached', async () => {
    const memcached = await startMemcachedServer();
    try {
      const app = await start({
        ...composeEnv({ RATE_LIMITER_BACKEND: 'memcached' }),
        DATABASE_URL: '',
        PGLITE_DATA_DIR: 'memory://',
        RATE_LIMITER_MEMCACHED_HOST: '127.0.0.1',
        RATE_LIMITER_MEMCACHED_PORT: String(memcached.port),
      });
      expect(await health(app)).toMatchObject({
        status: 200,
        body: { status: 'ok', rateLimitStore: { backend: 'memcached', status: 'up' } },
      });
      await app.stop();
    } finally {
      await memcached.close();
    }
  }, 90_000);
});
