import { PROJECT_ROOT } from './support/demo-build.js';
import { createPackageSandbox, type PackageSandbox } from './support/package-sandbox.js';

const PROBE = 'test/support/optional-peers.probe.ts';
const REDIS_MISSING = 'The redis rate-limit store needs the "ioredis" package: npm install ioredis';
const MEMCACHED_MISSING =
  'The memcached rate-limit store needs the "memcached" package: npm install memcached';

interface ProbeReport {
  exports: string[];
  memoryCount: number;
  redisError: string;
  memcachedError: string;
  redisStartup: string;
  memcachedStartup: string;
  userClientCount: number;
}

// The rate-limit module as an app installs it without its optional peers: ioredis and memcached
// are absent from the sandbox's node_modules, so any load of them at import time fails there.
describe('the rate-limit module without ioredis and memcached installed', () => {
  let sandbox: PackageSandbox;
  let report: ProbeReport;

  beforeAll(async () => {
    sandbox = await createPackageSandbox({
      folders: ['packages/nest-tier-rate-limit/src/rate-limit'],
      files: [PROBE],
      without: ['ioredis', 'memcached'],
    });
    const env = { PROJECT_ROOT, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15' };
    const run = await sandbox.run(PROBE, ['report'], env);
    if (run.code !== 0) throw new Error(`The probe failed (${run.code}):\n${run.stderr}`);
    report = JSON.parse(run.stdout) as ProbeReport;
  });
  afterAll(() => sandbox?.dispose());

  it('imports, with the same exports as here, and counts on the memory store', async () => {
    const here = Object.keys(await import('nest-tier-rate-limit')).sort();
    expect(report.exports).toEqual(here);
    expect(report.memoryCount).toBe(1);
  });

  it('fails to construct each store that needs a missing package, naming the package', () => {
    expect(report.redisError).toBe(REDIS_MISSING);
    expect(report.memcachedError).toBe(MEMCACHED_MISSING);
  });

  it('rejects the start of a Nest app on such a store with that message as is', () => {
    expect(report.redisStartup).toBe(REDIS_MISSING);
    expect(report.memcachedStartup).toBe(MEMCACHED_MISSING);
  });

  it('uses an ioredis client the app made without resolving ioredis itself', () => {
    expect(report.userClientCount).toBe(1);
  });

  it.each([
    ['redis', REDIS_MISSING],
    ['memcached', MEMCACHED_MISSING],
  ])('exits 1 printing the message under Nest default handling (%s)', async (store, message) => {
    const run = await sandbox.run(PROBE, ['start', store]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });
});
