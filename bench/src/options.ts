import { parseArgs } from 'node:util';
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
  /** Where the Markdown report goes, relative to bench/. */
  out: string;
  /** Set: re-render the report of this saved results file, measuring nothing. */
  reportFrom?: string;
}

const USAGE = `node dist/run.js [--quick] [--rounds N] [--warmup S] [--duration S]
  [--scenarios allow,deny,many-keys,tier-rules] [--variants ours-redis,rlf-redis,…]
  [--soak-keys N] [--skip-counters] [--profile] [--out FILE]
node dist/run.js --report-from results/RUN.json   (re-renders a saved run's report)`;

/** Parses the command line; `--quick` changes the defaults, explicit flags still win. */
export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      scenarios: { type: 'string' },
      variants: { type: 'string' },
      'soak-keys': { type: 'string' },
      'skip-counters': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
      'report-from': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const list = (text: string | undefined) => text?.split(',').map((item) => item.trim());
  const scenarios = (list(values.scenarios) ?? [...TIMED_SCENARIOS]) as ScenarioName[];
  for (const scenario of scenarios) {
    if (!TIMED_SCENARIOS.includes(scenario))
      throw new Error(`Unknown scenario ${scenario}\n${USAGE}`);
  }
  return {
    quick,
    rounds: positive(values.rounds, quick ? 1 : 5),
    warmupSeconds: positive(values.warmup, 1),
    durationSeconds: positive(values.duration, 2),
    scenarios,
    variants: list(values.variants)?.map((name) => variantInfo(name).name),
    counters: values['skip-counters'] !== true,
    soakKeys: positive(values['soak-keys'], quick ? 100_000 : 1_000_000, true),
    profile: values.profile === true,
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
