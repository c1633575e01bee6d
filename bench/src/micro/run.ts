import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { log } from '../log.js';
import { describeMachine, describeProject } from '../machine.js';
import { startMemcached, startRedis } from '../servers.js';
import { installBaseline } from './baseline.js';
import { BATCHES_KEPT, BYTES_BATCH } from './bytes.js';
import { selectVariants } from './catalog.js';
import { runInLanes, runMeasureChild } from './child.js';
import type { ScenarioResult } from './decisions.js';
import type { KeysResult } from './keys.js';
import { KEY_VARIANTS } from './keys-wiring.js';
import { type MicroOptions, parseMicroOptions } from './options.js';
import { pinCores } from './pinning.js';
import { openRedisStats } from './redis-stats.js';
import { renderMicroSection } from './report.js';
import { writeSection } from './report-file.js';
import type { MicroResults, MicroSettings } from './results.js';
import { BATCH, PASSES } from './timing.js';

const BENCH_DIR = resolve(import.meta.dirname, '..', '..');

function settings(): MicroSettings {
  const manifest = join(BENCH_DIR, 'node_modules', 'tinybench', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return {
    batch: BATCH,
    passes: PASSES,
    bytesBatch: BYTES_BATCH,
    bytesBatchesKept: BATCHES_KEPT,
    tinybench: version,
  };
}

async function measure(argv: string[], options: MicroOptions): Promise<MicroResults> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const pinning = await pinCores();
  log(
    `Machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; ${pinning.note}`,
  );
  const redis = await startRedis(pinning.redisBinary);
  const memcached = await startMemcached(pinning.memcachedBinary);
  const redisStats = await openRedisStats(redis.port);
  log(`Throwaway Redis on ${redis.port}, Memcached on ${memcached.port}`);
  try {
    // The child asks; the runner owns the servers and reads their counters on its own connections.
    const handlers = {
      flush: () => Promise.all([redis.flush(), memcached.flush()]),
      'redis-reset': () => redisStats.reset(),
      'redis-stats': () => redisStats.read(),
      'memcached-stats': () => memcached.stats(),
    };
    const ports = { redisPort: redis.port, memcachedPort: memcached.port };
    const baseline = options.baseline === undefined ? undefined : installBaseline(options.baseline);
    const requested = options.variants ?? selectVariants().map((variant) => variant.name);
    const selected = selectVariants(baseline ? [...requested, 'ours-memory-baseline'] : requested);
    const variants = selected.map((variant) => variant.name);
    const { scenarios, rounds, inFlight, backend, concurrent } = options;
    log(`Decisions: ${variants.length} variants × ${scenarios.join(', ')}, ${rounds} rounds`);
    const job = {
      kind: 'decisions',
      scenarios,
      variants,
      rounds,
      inFlight,
      backend,
      bytes: true,
      ports,
    } as const;
    const measured = await runMeasureChild<ScenarioResult[]>(job, pinning.child, handlers);
    // The shared stores again, many decisions in flight: only time, and its own A/A pairs.
    const shared = selected.filter((variant) => variant.backend !== 'memory');
    const concurrentJob = { ...job, variants: shared.map((v) => v.name), inFlight: concurrent };
    if (concurrent > 0 && shared.length > 0)
      log(
        `Decisions, ${concurrent} in flight: ${shared.length} variants × ${scenarios.join(', ')}`,
      );
    const concurrentRun =
      concurrent > 0 && shared.length > 0
        ? {
            inFlight: concurrent,
            scenarios: await runMeasureChild<ScenarioResult[]>(
              { ...concurrentJob, backend: false, bytes: false },
              pinning.child,
              handlers,
            ),
          }
        : undefined;
    // Each store alone in a process of its own; two at a time while the servers idle.
    const keyJobs = (options.memory ? options.keys : []).flatMap((count) =>
      KEY_VARIANTS.map((variant) => ({ kind: 'keys', variant, keys: count, ports }) as const),
    );
    const keys = await runInLanes<KeysResult>(keyJobs, pinning.lanes, handlers, (result) =>
      log(
        `Memory per key: ${result.variant} × ${result.keys}: ${Math.round(result.heapPerKey)} B heap`,
      ),
    );
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: ['npm run micro', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
      options,
      settings: settings(),
      machine,
      project: describeProject(resolve(BENCH_DIR, '..')),
      pinning: pinning.note,
      variants,
      scenarios: measured,
      concurrent: concurrentRun,
      baseline,
      keys,
    };
  } finally {
    await redisStats.close();
    await Promise.all([redis.close(), memcached.close()]);
    await pinning.cleanup();
  }
}

/** Writes the run's section into the file its options name. */
async function writeReport(results: MicroResults): Promise<void> {
  const report = resolve(BENCH_DIR, results.options.out);
  await writeSection(report, renderMicroSection(results));
  log(`Report: ${report}`);
}

async function main(argv: string[]): Promise<void> {
  const options = parseMicroOptions(argv);
  // Re-renders a saved run (after a change to the section's wording): nothing is measured.
  if (options.reportFrom !== undefined) {
    const saved = await readFile(resolve(options.reportFrom), 'utf8');
    return writeReport(JSON.parse(saved) as MicroResults);
  }
  const results = await measure(argv, options);
  const stamp = results.startedAt.replace(/[:.]/g, '-');
  const json = join(BENCH_DIR, 'results', `micro-${stamp}.json`);
  await mkdir(dirname(json), { recursive: true });
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  log(`Results: ${json}`);
  await writeReport(results);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
