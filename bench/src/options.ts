import { parseArgs } from 'node:util';
import { COMMON_FLAGS, exitOnHelp, list, scenariosFrom } from './cli.js';
import { type ScenarioName, TIMED_SCENARIOS } from './scenarios.js';
import { variantInfo, type VariantName } from './variants/catalog.js';

/** The runner's settings, from its command line. */
export interface BenchOptions {
  quick: boolean;
  rounds: number;
  warmupSeconds: number;
  durationSeconds: number;
  scenarios: ScenarioName[];
  /** Only these variants (`none` is always kept: every ratio needs it). */
  variants: VariantName[] | undefined;
  counters: boolean;
  /** Distinct keys of the memory soak; 0 skips it. */
  soakKeys: number;
  profile: boolean;
  /** Pin the runner and the servers to one CPU, the app to another (`taskset`); `--no-pin`: off. */
  pin: boolean;
  /** Where the Markdown report goes, relative to bench/. */
  out: string;
  /** Set: re-render the report of this saved results file, measuring nothing. */
  reportFrom?: string;
}

const USAGE = `node dist/run.js [--quick] [--rounds N] [--warmup S] [--duration S]
  [--scenarios allow,deny,many-keys,tier-rules] [--variants ours-redis,rlf-redis,…]
  [--soak-keys N] [--skip-counters] [--profile] [--no-pin] [--out FILE]
node dist/run.js --report-from results/RUN.json   (re-renders a saved run's report)`;

/**
 * The full run's rounds and windows: about 25 minutes on 2 quiet cores, soak and counters included
 * (`--quick`: one round of 1 s + 2 s).
 */
const DEFAULTS = { rounds: 4, warmupSeconds: 2, durationSeconds: 4 };

/** Parses the command line; `--quick` changes the defaults, explicit flags still win. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_FLAGS,
      warmup: { type: 'string' },
      duration: { type: 'string' },
      'soak-keys': { type: 'string' },
      'skip-counters': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
    },
  });
  exitOnHelp(values.help, USAGE);
  const quick = values.quick === true;
  const scenarios = scenariosFrom(values.scenarios, TIMED_SCENARIOS, USAGE);
  return {
    quick,
    rounds: positive(values.rounds, quick ? 1 : DEFAULTS.rounds),
    warmupSeconds: positive(values.warmup, quick ? 1 : DEFAULTS.warmupSeconds),
    durationSeconds: positive(values.duration, quick ? 2 : DEFAULTS.durationSeconds),
    scenarios,
    variants: list(values.variants)?.map((name) => variantInfo(name).name),
    counters: values['skip-counters'] !== true,
    soakKeys: positive(values['soak-keys'], quick ? 100_000 : 1_000_000, true),
    profile: values.profile === true,
    pin: values['no-pin'] !== true,
    out: values.out ?? (quick ? 'results/BENCHMARKS.quick.md' : '../docs/BENCHMARKS.md'),
    reportFrom: values['report-from'],
  };
}

function positive(text: string | undefined, fallback: number, zeroAllowed = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new Error(`Not a positive number: ${text}\n${USAGE}`);
  }
  return value;
}
