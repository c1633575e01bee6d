import { parseArgs } from 'node:util';
import { COMMON_FLAGS, exitOnHelp, list, scenariosFrom } from '../cli.js';
import type { ScenarioName } from '../scenarios.js';
import { COMPARED } from '../verdict.js';
import { ISSUE_11_BASELINE } from './baseline.js';
import { selectVariants } from './catalog.js';

/** The micro runner's settings, from its command line. */
export interface MicroOptions {
  quick: boolean;
  /** Interleaved timing rounds per scenario. */
  rounds: number;
  /** Decisions awaiting at once in the timed rounds: 1 (default) runs them one after the other. */
  inFlight: number;
  scenarios: ScenarioName[];
  /** Only these variants (ours and its twin on their backends are always added). */
  variants: string[] | undefined;
  /**
   * Decisions in flight in a second timing pass of the Redis and Memcached variants (0: none):
   * how a guard and its client behave under concurrent requests.
   */
  concurrent: number;
  /** The commit whose build `ours-memory-baseline` measures beside today's; none when unset. */
  baseline: string | undefined;
  /** Whether to count Redis and Memcached work per check. */
  backend: boolean;
  /** Whether to measure memory per live key. */
  memory: boolean;
  /** Distinct keys of each memory-per-key run. */
  keys: number[];
  /** The Markdown file the section is written into, relative to bench/. */
  out: string;
  /** Set: re-render the section of this saved results file, measuring nothing. */
  reportFrom?: string;
}

const USAGE = `node dist/micro/run.js [--quick] [--rounds N] [--in-flight N] [--concurrent N]
  [--baseline COMMIT|none] [--scenarios allow,deny,many-keys]
  [--variants ours-redis,rlf-redis,…] [--skip-backend] [--skip-memory]
  [--keys 100000,1000000] [--out FILE]
node dist/micro/run.js --report-from results/micro-RUN.json   (re-renders a saved run's section)`;

function positive(text: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1))
    throw new Error(`Not a ${allowZero ? 'whole number' : 'positive integer'}: ${text}\n${USAGE}`);
  return value;
}

/** Parses the command line; `--quick` changes the defaults, explicit flags still win. */
export function parseMicroOptions(argv: string[]): MicroOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_FLAGS,
      'in-flight': { type: 'string' },
      concurrent: { type: 'string' },
      baseline: { type: 'string' },
      'skip-backend': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
      keys: { type: 'string' },
    },
  });
  exitOnHelp(values.help, USAGE);
  const quick = values.quick === true;
  const scenarios = scenariosFrom(values.scenarios, COMPARED, USAGE);
  const variants = list(values.variants);
  // Fails early on an unknown name, before any server starts.
  if (variants !== undefined) selectVariants(variants);
  return {
    quick,
    rounds: values.rounds === undefined ? (quick ? 4 : 20) : positive(values.rounds),
    inFlight: values['in-flight'] === undefined ? 1 : positive(values['in-flight']),
    concurrent: values.concurrent === undefined ? 16 : positive(values.concurrent, true),
    baseline: values.baseline === 'none' ? undefined : (values.baseline ?? ISSUE_11_BASELINE),
    scenarios,
    variants,
    backend: values['skip-backend'] !== true,
    memory: values['skip-memory'] !== true,
    keys:
      list(values.keys)?.map((text) => positive(text)) ??
      (quick ? [100_000] : [100_000, 1_000_000]),
    out: values.out ?? (quick ? 'results/BENCHMARKS.micro-quick.md' : '../docs/BENCHMARKS.md'),
    reportFrom: values['report-from'],
  };
}
