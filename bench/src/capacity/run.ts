/**
 * Capacity inputs for docs/SCALING.md: Redis CPU per check by algorithm, number of policies and
 * outcome; the checks/s one Redis core reaches with real connections; memory per key.
 *
 *   cd bench && npm run capacity [-- --quick] [-- --out FILE]
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import * as prettier from 'prettier';
import { describeMachine, describeProject } from '../machine.js';
import { openRedisStats } from '../micro/redis-stats.js';
import { shuffled } from '../micro/timing.js';
import { startRedis } from '../servers.js';
import {
  ALGORITHMS,
  checker,
  memoryRun,
  nullThroughput,
  type MemoryRun,
  openStore,
  OUTCOMES,
  sequential,
  serverPass,
  type ServerPass,
  SHAPES,
  throughput,
  type Throughput,
  type Workload,
  workloadCallers,
  workloadLimits,
} from './measure.js';
import { renderReport } from './report.js';

const BENCH_DIR = resolve(import.meta.dirname, '..', '..');
const REDIS = '/usr/bin/redis-server';

export interface CapacityOptions {
  checks: number;
  passes: number;
  callers: number;
  seconds: number;
  connections: number;
  inFlight: number;
  /** Connections of the fleet-shaped runs (as many as checks in flight by default). */
  fleetConnections: number;
  out: string;
}

export interface CapacityResults {
  startedAt: string;
  finishedAt: string;
  /** One-minute load average when the run ended (the machine's own figure is the start's). */
  loadAverageEnd: number;
  argv: string[];
  options: CapacityOptions;
  machine: ReturnType<typeof describeMachine>;
  project: ReturnType<typeof describeProject>;
  pinning: string;
  server: { workload: Workload; passes: ServerPass[] }[];
  throughput: { workload: Workload; run: Throughput }[];
  /** The same load with a script that does nothing: a round trip's cost to Redis. */
  baseline: Throughput;
  /** A fleet's shape: as many connections as checks in flight (about one each). */
  fleet: { workload: Workload; run: Throughput }[];
  fleetBaseline: Throughput;
  memory: MemoryRun[];
}

const USAGE = `node dist/capacity/run.js [--quick] [--checks N] [--passes N] [--callers N]
  [--seconds S] [--connections N] [--in-flight N] [--fleet-connections N] [--out FILE]`;

function parseOptions(argv: string[]): CapacityOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      checks: { type: 'string' },
      passes: { type: 'string' },
      callers: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      'in-flight': { type: 'string' },
      'fleet-connections': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(value > 0)) throw new Error(`Not a positive number: ${text}\n${USAGE}`);
    return value;
  };
  const quick = values.quick;
  const inFlight = number(values['in-flight'], 64);
  return {
    checks: number(values.checks, quick ? 1000 : 5000),
    passes: number(values.passes, quick ? 3 : 5),
    callers: number(values.callers, quick ? 10_000 : 50_000),
    seconds: number(values.seconds, quick ? 1 : 3),
    connections: number(values.connections, 4),
    inFlight,
    fleetConnections: number(values['fleet-connections'], inFlight),
    out:
      values.out !== undefined
        ? resolve(values.out)
        : join(BENCH_DIR, 'results', quick ? 'CAPACITY.quick.md' : 'CAPACITY.md'),
  };
}

const began = performance.now();
/** A progress line on stderr (stdout carries the report), with the seconds since the start. */
const progress = (line: string) =>
  console.error(
    `[capacity ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${line}`,
  );

function hasTaskset(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Redis on core 0 and this process (every thread) on core 1 when `taskset` and two cores exist;
 * Redis always with 32 databases (one per workload, so that keys stay byte-identical across them).
 */
async function placement(dir: string): Promise<{ binary: string; note: string }> {
  const binary = join(dir, 'redis-server');
  const pin = hasTaskset() && os.availableParallelism() >= 2;
  const prefix = pin ? 'taskset -c 0 ' : '';
  await writeFile(binary, `#!/bin/sh\nexec ${prefix}${REDIS} "$@" --databases 32\n`);
  await chmod(binary, 0o755);
  if (!pin) return { binary, note: 'not pinned (no taskset or one core)' };
  execFileSync('taskset', ['-a', '-c', '-p', '1', String(process.pid)], { stdio: 'ignore' });
  return { binary, note: 'Redis on core 0 (`taskset -c 0`), this process on core 1' };
}

/** The fleet-shaped runs: each algorithm's fast path and three policies, allowed. */
const FLEET = (w: Workload) => w.outcome === 'allowed' && w.shape !== 'one-policy';

const label = (w: Workload) => `${w.algorithm} ${w.shape} ${w.outcome}`;

/** The workloads whose ceiling is measured: every allowed one, and the hot caller's flood. */
const THROUGHPUT = (w: Workload) =>
  w.outcome === 'allowed' || (w.algorithm === 'fixed-window' && w.shape === 'single');

async function measure(argv: string[], options: CapacityOptions): Promise<CapacityResults> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-capacity-'));
  const { binary, note } = await placement(dir);
  const redis = await startRedis(binary);
  progress(`throwaway Redis on 127.0.0.1:${redis.port}; ${note}`);
  const stats = await openRedisStats(redis.port);
  const MEMORY_DB = 31;
  const admin = new Redis({ host: '127.0.0.1', port: redis.port, db: MEMORY_DB });
  try {
    // 1. Memory per key, on an empty server (also: script µs of a caller's first check).
    const memory: MemoryRun[] = [];
    for (const algorithm of ALGORITHMS)
      for (const shape of ['single', 'three-policies'] as const) {
        progress(`memory: ${options.callers} callers, ${algorithm} ${shape}`);
        memory.push(
          await memoryRun(
            redis.port,
            MEMORY_DB,
            algorithm,
            shape,
            options.callers,
            options.inFlight,
            stats,
            admin,
          ),
        );
      }

    // 2. Server µs per check: every workload on a database of its own, passes interleaved.
    const workloads: Workload[] = ALGORITHMS.flatMap((algorithm) =>
      SHAPES.flatMap((shape) => OUTCOMES.map((outcome) => ({ algorithm, shape, outcome }))),
    );
    const stores = workloads.map((_, index) => openStore(redis.port, index + 1));
    const checks = workloads.map((w, index) =>
      checker(stores[index], w.algorithm, w.shape, workloadLimits(w), workloadCallers(w)),
    );
    try {
      for (const [index, w] of workloads.entries()) {
        // Warm-up: every caller's keys exist, scripts loaded, a refused caller past its first.
        const callers = workloadCallers(w);
        await sequential(checks[index], Math.max(callers, 200), callers);
      }
      const passes = workloads.map((): ServerPass[] => []);
      for (let pass = 0; pass < options.passes; pass += 1) {
        progress(`server µs: pass ${pass + 1} of ${options.passes}`);
        for (const index of shuffled([...workloads.keys()], pass + 1)) {
          const w = workloads[index];
          // A refused caller past its first check again (its window may have ended meanwhile).
          if (w.outcome === 'refused') await checks[index](0);
          passes[index].push(
            await serverPass(checks[index], options.checks, workloadCallers(w), stats, admin),
          );
        }
      }
      const server = workloads.map((workload, index) => ({ workload, passes: passes[index] }));

      // 3. The ceiling with real connections, on the keys the passes left.
      const pooled = { ...options };
      progress(`throughput: null script (round-trip baseline), ${options.seconds} s`);
      const baseline = await nullThroughput(redis.port, 30, pooled, stats, admin);
      const runs: { workload: Workload; run: Throughput }[] = [];
      for (const [index, workload] of workloads.entries()) {
        if (!THROUGHPUT(workload)) continue;
        progress(`throughput: ${label(workload)}, ${options.seconds} s`);
        const run = await throughput(redis.port, index + 1, workload, pooled, stats, admin);
        runs.push({ workload, run });
      }
      // 4. The same with one connection per check in flight, as many app processes would have.
      const spread = { ...options, connections: options.fleetConnections };
      progress(`fleet: null script, ${spread.connections} connections, ${options.seconds} s`);
      const fleetBaseline = await nullThroughput(redis.port, 30, spread, stats, admin);
      const fleet: { workload: Workload; run: Throughput }[] = [];
      for (const [index, workload] of workloads.entries()) {
        if (!FLEET(workload)) continue;
        progress(`fleet: ${label(workload)}, ${spread.connections} connections`);
        const run = await throughput(redis.port, index + 1, workload, spread, stats, admin);
        fleet.push({ workload, run });
      }
      return {
        startedAt,
        finishedAt: new Date().toISOString(),
        loadAverageEnd: os.loadavg()[0],
        argv,
        options,
        machine,
        project: describeProject(resolve(BENCH_DIR, '..')),
        pinning: note,
        server,
        throughput: runs,
        baseline,
        fleet,
        fleetBaseline,
        memory,
      };
    } finally {
      await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    }
  } finally {
    await admin.quit().catch(() => undefined);
    await stats.close().catch(() => undefined);
    await redis.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  const results = await measure(argv, options);
  const markdown = await prettier.format(renderReport(results), {
    ...(await prettier.resolveConfig(options.out)),
    parser: 'markdown',
  });
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, markdown);
  await writeFile(options.out.replace(/\.md$/, '') + '.json', JSON.stringify(results, null, 2));
  process.stdout.write(markdown);
  progress(`wrote ${options.out} (and its .json)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
