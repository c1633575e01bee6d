/**
 * docker-compose.yml, the Dockerfile and .dockerignore checked without a Docker engine: what
 * they promise (loopback ports, healthchecks, a non-root production image, known variables) and
 * that they agree with the repository (copied paths exist, variables are validated ones).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateEnv } from '../../src/config/env.validation.js';
import { PROJECT_ROOT } from '../support/demo-build.js';
import { startMemcachedServer } from '../support/memcached-server.js';
import { freePort } from '../support/throwaway-server.js';
import { environmentOf, interpolate, publishedPort, readCompose } from './compose.js';
import { readDockerignore } from './dockerignore.js';
import { healthcheckCommand, instructions, parseCopy, readDockerfile } from './dockerfile.js';
import { stageEnv, words } from './dockerfile.js';

const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const json = (path: string) => JSON.parse(read(path)) as Record<string, Record<string, string>>;
/** The variables the demo validates: every `@Env('NAME')` of its configuration class. */
const validated = new Set(
  [...read('src/config/env.validation.ts').matchAll(/@Env\('([A-Z0-9_]+)'\)/g)].map((m) => m[1]),
);
const { services } = readCompose();
const app = services.app;
const stages = readDockerfile();
const runtime = stages.at(-1)!;
const runs = (stage = runtime) => instructions(stage, 'RUN').map(({ args }) => args);
const secret = { JWT_SECRET: 'deploy-test-secret-of-32-characters' };
const appEnv = (variables: Record<string, string | undefined>) =>
  Object.fromEntries(
    Object.entries(environmentOf(app)).map(([k, v]) => [k, interpolate(v, variables)]),
  );

describe('docker-compose.yml', () => {
  it('builds the app from the root Dockerfile and runs its CMD, no source mounted over it', () => {
    const build = typeof app.build === 'string' ? { context: app.build } : (app.build ?? {});
    expect(resolve(PROJECT_ROOT, build.context ?? '')).toBe(resolve(PROJECT_ROOT));
    expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    expect(build.target ?? runtime.name).toBe(runtime.name);
    expect(app).not.toHaveProperty('command');
    const mounts = (app.volumes ?? []).map((v) =>
      typeof v === 'string' ? v.split(':')[1] : v.target,
    );
    expect(mounts.filter((target) => target !== '/app/data')).toEqual([]);
  });

  it('gives the app only variables the demo validates and .env.example documents', () => {
    expect([...validated]).toEqual(expect.arrayContaining(['JWT_SECRET', 'DATABASE_URL', 'PORT']));
    const names = Object.keys(environmentOf(app));
    expect(names.filter((name) => !validated.has(name))).toEqual([]);
    const documented = read('.env.example');
    expect(names.filter((name) => !new RegExp(`^(# )?${name}=`, 'm').test(documented))).toEqual([]);
  });

  it('gives the app values the demo accepts, in production, on PostgreSQL and Redis', () => {
    const env = validateEnv(appEnv(secret));
    expect(env).toMatchObject({ nodeEnv: 'production', rateLimiterBackend: 'redis', port: 3000 });
    expect(env.databaseUrl).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    const memcached = validateEnv(appEnv({ ...secret, RATE_LIMITER_BACKEND: 'memcached' }));
    expect(memcached.rateLimiterBackend).toBe('memcached');
  });

  it('refuses to start without a JWT_SECRET', () => {
    expect(environmentOf(app).JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
    expect(() => appEnv({})).toThrow(/JWT_SECRET/);
    expect(() => appEnv({ JWT_SECRET: '' })).toThrow(/JWT_SECRET/);
  });

  it('gives every service a healthcheck (the app: its image HEALTHCHECK)', () => {
    const command = (name: string) => {
      const { test, disable } = services[name].healthcheck ?? {};
      if (disable === true) return ['NONE'];
      return test === undefined && name === 'app' ? healthcheckCommand(runtime) : test;
    };
    for (const name of Object.keys(services)) {
      expect({ name, test: command(name) }).toEqual({ name, test: expect.any(Array) });
      expect({ name, test: command(name) }).not.toEqual({ name, test: ['NONE'] });
    }
  });

  it('starts the app once every other service is healthy', () => {
    const others = Object.keys(services).filter((name) => name !== 'app');
    const healthy = Object.fromEntries(
      others.map((name) => [name, { condition: 'service_healthy' }]),
    );
    expect(app.depends_on).toEqual(healthy);
    for (const [, service] of Object.entries(services)) {
      for (const dependency of Object.values(service.depends_on ?? {})) {
        expect(dependency).toEqual({ condition: 'service_healthy' });
      }
    }
  });

  it('publishes ports on 127.0.0.1 only, the app on 3000 (its PORT)', () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((entry) => ({ name, ...publishedPort(entry) })),
    );
    expect(published.filter(({ hostIp }) => hostIp !== '127.0.0.1')).toEqual([]);
    expect(published).toContainEqual({
      name: 'app',
      hostIp: '127.0.0.1',
      published: '3000',
      target: 3000,
    });
    expect(environmentOf(app).PORT).toBe('3000');
  });

  it("has a Memcached probe that answers with the server's version, and fails without one", async () => {
    const [kind, shell, flag, script = ''] = services.memcached.healthcheck!.test as string[];
    expect([kind, shell, flag]).toEqual(['CMD', 'bash', '-c']);
    expect(script).toContain('/dev/tcp/127.0.0.1/11211');
    const probe = async (port: number) => {
      const child = spawn('bash', ['-c', interpolate(script, {}).replace('/11211', `/${port}`)]);
      return ((await once(child, 'close')) as [number | null])[0];
    };
    const memcached = await startMemcachedServer();
    try {
      expect(await probe(memcached.port)).toBe(0);
    } finally {
      await memcached.close();
    }
    expect(await probe(await freePort())).not.toBe(0);
  });

  it('documents how to mint a token inside the container', () => {
    expect(read('docker-compose.yml')).toContain(
      'docker compose exec -T app node dist/scripts/token.js',
    );
    expect(json('package.json').scripts.token).toBe('node dist/scripts/token.js');
  });
});

describe('Dockerfile', () => {
  it('builds with every dependency, then installs production ones only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = runs(stages[0]).join(' && ');
    expect(build).toMatch(/\bnpm ci\b/);
    expect(build).toMatch(/\bnpm run build\b/);
    const install = runs().find((args) => args.startsWith('npm ci')) ?? '';
    expect(words(install)).toEqual(expect.arrayContaining(['--omit=dev', '--ignore-scripts']));
  });

  it('runs on a Node.js the engines fields allow, the same in both stages', () => {
    const major = /^node:(\d+)-/.exec(runtime.image)?.[1];
    for (const manifest of ['package.json', 'packages/nest-tier-rate-limit/package.json']) {
      const minimum = /^>=\s*(\d+)/.exec(json(manifest).engines.node ?? '')?.[1];
      expect(Number(major)).toBeGreaterThanOrEqual(Number(minimum));
    }
    expect(new Set(stages.map((stage) => stage.image))).toEqual(new Set([runtime.image]));
  });

  it('runs the runtime stage as a non-root user that owns the embedded database directory', () => {
    const user = instructions(runtime, 'USER').at(-1)?.args.split(':')[0] ?? 'root';
    expect(['root', '0', '']).not.toContain(user);
    const dataDir = validateEnv({}).pgliteDataDir.replace(/^\.\/|\/$/g, '');
    expect(runs()).toContainEqual(
      expect.stringMatching(new RegExp(`chown ${user}(:\\S+)? ${dataDir}\\b`)),
    );
  });

  it('sets NODE_ENV=production, exposes 3000 and runs what npm run start:prod runs', () => {
    expect(stageEnv(runtime).NODE_ENV).toBe('production');
    expect(instructions(runtime, 'EXPOSE').map(({ args }) => args)).toEqual(['3000']);
    const cmd = words(instructions(runtime, 'CMD').at(-1)?.args ?? '[]');
    expect(cmd.join(' ')).toBe(json('package.json').scripts['start:prod']);
  });

  it('checks GET /api/v1/health with Node itself', () => {
    const command = healthcheckCommand(runtime) ?? [];
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain("'/api/v1/health'");
  });

  it('copies from the context only paths that exist and .dockerignore lets through', () => {
    const { ignores } = readDockerignore();
    const names = new Set<string>();
    for (const stage of stages) {
      for (const copy of instructions(stage, 'COPY').map(parseCopy)) {
        if (copy.from !== undefined) {
          expect([...names]).toContain(copy.from);
          continue;
        }
        for (const source of copy.sources) {
          expect({ source, exists: existsSync(join(PROJECT_ROOT, source)) }).toEqual({
            source,
            exists: true,
          });
          expect({ source, ignored: ignores(source) }).toEqual({ source, ignored: false });
        }
      }
      if (stage.name !== undefined) names.add(stage.name);
    }
  });

  it('keeps installed, built and secret files out of the context', () => {
    const { ignores } = readDockerignore();
    const PACKAGE = 'packages/nest-tier-rate-limit';
    const excluded = [
      'node_modules',
      `${PACKAGE}/node_modules`,
      'dist',
      `${PACKAGE}/dist/x.js`,
      '.env',
      '.git',
      'data/x',
    ];
    expect(excluded.filter((path) => !ignores(path))).toEqual([]);
  });
});
