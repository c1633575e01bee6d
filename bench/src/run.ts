import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as prettier from 'prettier';
import { observePinning, type Pinning, pinRunner } from './affinity.js';
import { counterRequests, measureCounters, type CounterResult } from './counter-runs.js';
import { count, perCheck, ratio } from './format.js';
import { log } from './log.js';
import { describeMachine, describeProject } from './machine.js';
import { runMemorySoak } from './memory-soak.js';
import { type BenchOptions, parseOptions } from './options.js';
import { readMicroBlock, renderReport, withMicroBlock } from './report.js';
import type { BenchResults, TimedRun } from './results.js';
import { type BenchServers, startMemcached, startRedis } from './servers.js';
import { aaSpread, aaWidth } from './summary.js';
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
  // Before the servers start, so that they inherit the runner's CPU.
  const requested = pinRunner(options.pin);
  const servers: BenchServers = { redis: await startRedis(), memcached: await startMemcached() };
  log(`Throwaway Redis on ${servers.redis.port}, Memcached on ${servers.memcached.port}`);
  try {
    const pinning = observePinning(requested);
    log(describePinning(pinning));
    const timed = await timedRounds(servers, options);
    logAaSpreads(timed, options);
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
      pinning,
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

function describePinning(pinning: Pinning): string {
  if (!pinning.pinned) return `Not pinned: ${pinning.reason}`;
  const observed = Object.entries(pinning.observed).map(([name, cpus]) => `${name} ${cpus}`);
  return `Pinned (taskset), CPUs read back from /proc: ${observed.join(', ')}`;
}

function logAaSpreads(timed: TimedRun[], options: BenchOptions): void {
  for (const scenario of options.scenarios) {
    const spread = aaSpread(timed, scenario);
    if (spread === undefined) continue;
    const [low, high] = spread.range;
    const [q1, q3] = spread.iqr;
    log(
      `[A/A ${scenario}] twin / original: ${spread.ratios.map(ratio).join(' ')}; range ` +
        `${ratio(low)}–${ratio(high)}, IQR ${ratio(q1)}–${ratio(q3)}: ${aaWidth(spread)}`,
    );
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

/**
 * Writes the report; the micro benchmarks' block of the file it replaces (if any) is kept
 * verbatim, right under the report's first comment.
 */
async function writeReport(results: BenchResults): Promise<void> {
  const report = resolve(BENCH_DIR, results.options.out);
  await mkdir(dirname(report), { recursive: true });
  const micro = readMicroBlock(await readFile(report, 'utf8').catch(() => ''));
  // Formatted as the repository's Prettier settings want, so that `npm run lint` stays green.
  const style = await prettier.resolveConfig(report);
  const rendered = renderReport(results, { microAbove: micro !== undefined });
  const text = await prettier.format(rendered, { ...style, filepath: report });
  await writeFile(report, micro === undefined ? text : withMicroBlock(text, micro));
  log(`Report: ${report}`);
}

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  // Re-renders a saved run (after a change to the report's wording): nothing is measured.
  if (options.reportFrom !== undefined) {
    const saved = JSON.parse(await readFile(resolve(options.reportFrom), 'utf8')) as BenchResults;
    if (!Array.isArray(saved.timed)) {
      throw new Error(`${options.reportFrom} holds no end-to-end results (a micro run's?)`);
    }
    return writeReport(saved);
  }
  await saveResults(await measure(argv, options));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
