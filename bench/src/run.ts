import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as prettier from 'prettier';
import { counterRequests, measureCounters, type CounterResult } from './counter-runs.js';
import { count, perCheck } from './format.js';
import { log } from './log.js';
import { describeMachine, describeProject } from './machine.js';
import { runMemorySoak } from './memory-soak.js';
import { type BenchOptions, parseOptions } from './options.js';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';
import { type BenchServers, startMemcached, startRedis } from './servers.js';
import { profileRuns, selectedVariants, timedRounds } from './timed-runs.js';
import { variantInfo } from './variants/catalog.js';

const BENCH_DIR = resolve(import.meta.dirname, '..');

async function counterRuns(servers: BenchServers, options: BenchOptions): Promise<CounterResult[]> {
  const results: CounterResult[] = [];
  for (const scenario of options.scenarios) {
    for (const variant of selectedVariants(scenario, options)) {
      const { backend } = variantInfo(variant);
      const counted =
        variant === 'ours-tier-rules' || backend === 'redis' || backend === 'memcached';
      if (!counted) continue;
      const result = await measureCounters(variant, scenario, servers);
      results.push(result);
      log(
        `[counters ${scenario}] ${variant.padEnd(16)} ${perCheck(result.perRequest)} ${result.counted} ` +
          `operations per request over ${count(result.requests)} (of ${count(counterRequests(scenario))})`,
      );
    }
  }
  return results;
}

async function measure(argv: string[], options: BenchOptions): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  log(`Machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}`);
  const servers: BenchServers = { redis: await startRedis(), memcached: await startMemcached() };
  log(`Throwaway Redis on ${servers.redis.port}, Memcached on ${servers.memcached.port}`);
  try {
    const timed = await timedRounds(servers, options);
    const counters = options.counters ? await counterRuns(servers, options) : [];
    const ports = { redisPort: servers.redis.port, memcachedPort: servers.memcached.port };
    const soak =
      options.soakKeys > 0 ? await runMemorySoak(options.soakKeys, ports, log) : undefined;
    const profiles = options.profile ? await profileRuns(servers, options, BENCH_DIR) : [];
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
      options,
      machine,
      project: describeProject(resolve(BENCH_DIR, '..')),
      timed,
      counters,
      soak,
      profiles,
    };
  } finally {
    await Promise.all([servers.redis.close(), servers.memcached.close()]);
  }
}

/** Saves the results as JSON, then writes the report where the run's options say. */
async function saveResults(results: BenchResults): Promise<void> {
  const json = join(BENCH_DIR, 'results', `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(json), { recursive: true });
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  log(`Results: ${json}`);
  await writeReport(results);
}

async function writeReport(results: BenchResults): Promise<void> {
  const report = resolve(BENCH_DIR, results.options.out);
  await mkdir(dirname(report), { recursive: true });
  // Formatted as the repository's Prettier settings want, so that `npm run lint` stays green.
  const style = await prettier.resolveConfig(report);
  const text = await prettier.format(renderReport(results), { ...style, filepath: report });
  await writeFile(report, text);
  log(`Report: ${report}`);
}

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  // Re-renders a saved run (after a change to the report's wording): nothing is measured.
  if (options.reportFrom !== undefined) {
    const saved = JSON.parse(await readFile(resolve(options.reportFrom), 'utf8')) as BenchResults;
    return writeReport(saved);
  }
  await saveResults(await measure(argv, options));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
