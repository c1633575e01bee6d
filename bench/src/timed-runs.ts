import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startApp } from './app-process.js';
import { count, ms, ratio } from './format.js';
import { runLoad } from './load.js';
import { log } from './log.js';
import type { BenchOptions } from './options.js';
import { cpuMs } from './proc.js';
import { type ProfileSummary, summarizeProfile } from './profile.js';
import type { TimedRun } from './results.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import type { BenchServers } from './servers.js';
import { AA_TWINS, runName, variantsFor, type VariantName } from './variants/catalog.js';

/** A measured window, and the app's CPU time per response in it (µs). */
type Measured = Pick<TimedRun, 'load' | 'appCpuUs'>;

/** One measured window: flushed servers, a fresh app, warm-up, then the measured load. */
async function timedRun(
  variant: VariantName,
  scenario: ScenarioName,
  servers: BenchServers,
  options: BenchOptions,
  cpuProfileDir?: string,
): Promise<Measured> {
  await Promise.all([servers.redis.flush(), servers.memcached.flush()]);
  const ports = { redisPort: servers.redis.port, memcachedPort: servers.memcached.port };
  const app = await startApp({ variant, scenario, ...ports, cpuProfileDir });
  try {
    await runLoad(app.port, SCENARIOS[scenario], { seconds: options.warmupSeconds });
    const cpuBefore = await cpuMs(app.pid);
    const load = await runLoad(app.port, SCENARIOS[scenario], { seconds: options.durationSeconds });
    const appCpuUs = (((await cpuMs(app.pid)) - cpuBefore) * 1000) / load.requests;
    return { load, appCpuUs };
  } finally {
    await app.stop();
  }
}

/** The variants of `scenario` the options select (`none` always: every ratio needs it). */
export function selectedVariants(scenario: ScenarioName, options: BenchOptions): VariantName[] {
  const wanted = options.variants;
  return variantsFor(scenario).filter((v) => v === 'none' || !wanted || wanted.includes(v));
}

/**
 * The runs of one scenario in one round, in order: the selected variants, then the A/A twins of
 * those of them that have one (`none` always does), each in a process of its own.
 */
function roundOrder(scenario: ScenarioName, options: BenchOptions) {
  const variants = selectedVariants(scenario, options);
  const twins = AA_TWINS.filter((variant) => variants.includes(variant));
  return [
    ...variants.map((variant) => ({ variant, twin: false })),
    ...twins.map((variant) => ({ variant, twin: true })),
  ];
}

/**
 * The timed rounds: every scenario runs every selected variant in turn, then the A/A twins,
 * round after round.
 */
export async function timedRounds(
  servers: BenchServers,
  options: BenchOptions,
): Promise<TimedRun[]> {
  const runs: TimedRun[] = [];
  // Discarded: the first run after start-up measures a cold machine and a cold load generator.
  await timedRun('none', 'allow', servers, options);
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const scenario of options.scenarios) {
      let baseline = Number.NaN;
      for (const { variant, twin } of roundOrder(scenario, options)) {
        const { load, appCpuUs } = await timedRun(variant, scenario, servers, options);
        if (variant === 'none' && !twin) baseline = load.rps;
        runs.push({ round, scenario, variant, twin, load, appCpuUs });
        log(
          `[round ${round}/${options.rounds} ${scenario}] ${runName(variant, twin).padEnd(16)} ` +
            `${count(load.rps).padStart(7)} req/s  ratio ${ratio(load.rps / baseline)}  ` +
            `app CPU ${appCpuUs.toFixed(0)} µs/req  ` +
            `p99 ${ms(load.p99)} ms  429s ${count(load.statuses['429'] ?? 0)}  errors ${load.errors}`,
        );
      }
    }
  }
  return runs;
}

/** `ours-memory` and `ours-redis` in `allow` under `--cpu-prof`, summarized. */
export async function profileRuns(
  servers: BenchServers,
  options: BenchOptions,
  benchDir: string,
): Promise<ProfileSummary[]> {
  const summaries: ProfileSummary[] = [];
  for (const variant of ['ours-memory', 'ours-redis'] as const) {
    const dir = join(benchDir, 'profiles', variant);
    await mkdir(dir, { recursive: true });
    const before = new Set(await readdir(dir));
    // Longer than a timed window, so that start-up weighs little in the profile.
    const long = { ...options, durationSeconds: Math.max(10, options.durationSeconds) };
    await timedRun(variant, 'allow', servers, long, dir);
    const written = (await readdir(dir)).filter((file) => !before.has(file));
    if (written.length !== 1) throw new Error(`Expected one new profile in ${dir}`);
    summaries.push(await summarizeProfile(join(dir, written[0]), variant));
    log(`[profile] ${variant}: ${join('profiles', variant, written[0])}`);
  }
  return summaries;
}
