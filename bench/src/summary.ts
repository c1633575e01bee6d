import { percent } from './format.js';
import type { BenchResults, TimedRun } from './results.js';
import type { ScenarioName } from './scenarios.js';
import { median, quantile } from './stats.js';
import type { VariantName } from './variants/catalog.js';

/** One variant (or its A/A twin) in one scenario, over all rounds. */
export interface VariantSummary {
  variant: VariantName;
  /** The A/A twin's row: `variant` again, in a process of its own. */
  twin: boolean;
  rounds: number;
  /** Median responses per second. */
  rps: number;
  /** Median of each round's req/s divided by `none`'s in the same round and scenario. */
  ratio: number;
  /** Lowest and highest per-round ratio: how noisy the machine was. */
  ratioRange: [number, number];
  /** Median CPU time of the app per response, µs. */
  appCpuUs: number;
  /** Median 99th-percentile latency, ms. */
  p99: number;
  /** Share of responses that were 429s. */
  refused: number;
  /** Errors, timeouts and statuses other than 2xx and 429, all rounds together. */
  errors: number;
}

const isTwin = (run: TimedRun) => run.twin === true;

/** The summaries of one scenario, in the order the variants ran (the A/A twins last). */
export function summarizeScenario(timed: TimedRun[], scenario: ScenarioName): VariantSummary[] {
  const runs = timed.filter((run) => run.scenario === scenario);
  const baseline = new Map(
    runs
      .filter((run) => run.variant === 'none' && !isTwin(run))
      .map((run) => [run.round, run.load.rps]),
  );
  const keys = [...new Set(runs.map((run) => `${run.variant} ${isTwin(run)}`))];
  return keys.map((key) => {
    const own = runs.filter((run) => `${run.variant} ${isTwin(run)}` === key);
    const responses = own.reduce((sum, run) => sum + run.load.requests, 0);
    const refused = own.reduce((sum, run) => sum + (run.load.statuses['429'] ?? 0), 0);
    const ratios = own.map((run) => run.load.rps / (baseline.get(run.round) ?? Number.NaN));
    return {
      variant: own[0].variant,
      twin: isTwin(own[0]),
      rounds: own.length,
      rps: median(own.map((run) => run.load.rps)),
      ratio: median(ratios),
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
      appCpuUs: median(own.map((run) => run.appCpuUs)),
      p99: median(own.map((run) => run.load.p99)),
      refused: responses === 0 ? 0 : refused / responses,
      errors: own.reduce((sum, run) => sum + run.load.errors, 0),
    };
  });
}

/** The summary of `variant` (not its twin) in `scenario`, if it ran. */
export function find(
  results: BenchResults,
  scenario: ScenarioName,
  variant: VariantName,
): VariantSummary | undefined {
  return summarizeScenario(results.timed, scenario).find(
    (row) => row.variant === variant && !row.twin,
  );
}

/** What identical code measured against itself in one scenario: the A/A twins over their originals. */
export interface AaSpread {
  /** Per twin, round by round: the twin's figure divided by its original's in the same round. */
  byTwin: { variant: VariantName; ratios: number[] }[];
  /** All of them. */
  ratios: number[];
  /** Lowest and highest of them. */
  range: [number, number];
  /** Their first and third quartiles. */
  iqr: [number, number];
  /**
   * The widest of them as a factor either way (0.90 counts as 1 / 0.90 = 1.11): two figures
   * whose ratio, larger over smaller, is no more than it are inside the spread.
   */
  factor: number;
}

/** The A/A spread of `scenario`'s req/s (or p99); undefined when no twin ran. */
export function aaSpread(
  timed: TimedRun[],
  scenario: ScenarioName,
  figure: 'rps' | 'p99' = 'rps',
): AaSpread | undefined {
  const runs = timed.filter((run) => run.scenario === scenario);
  const variants = [...new Set(runs.filter(isTwin).map((run) => run.variant))];
  const byTwin = variants.map((variant) => ({
    variant,
    ratios: runs
      .filter((twin) => isTwin(twin) && twin.variant === variant)
      .flatMap((twin) => {
        const original = runs.find(
          (run) => run.round === twin.round && run.variant === variant && !isTwin(run),
        );
        const value = original && twin.load[figure] / original.load[figure];
        return value !== undefined && Number.isFinite(value) ? [value] : [];
      }),
  }));
  const ratios = byTwin.flatMap((twin) => twin.ratios);
  if (ratios.length === 0) return undefined;
  return {
    byTwin,
    ratios,
    range: [Math.min(...ratios), Math.max(...ratios)],
    iqr: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
    factor: Math.max(...ratios.map((value) => Math.max(value, 1 / value))),
  };
}

/** Whether `a` and `b` differ by no more than the A/A spread, whichever is larger. */
export function insideAa(a: number, b: number, spread: AaSpread): boolean {
  return Math.max(a / b, b / a) <= spread.factor;
}

/** `±6.8 %`: the spread's factor, less 1. */
export const aaWidth = (spread: AaSpread) => `±${percent(spread.factor - 1)}`;

/** `inside the A/A spread (±6.8 %)`, `beyond the A/A spread (±6.8 %)`, or `no A/A spread measured`. */
export function aaLabel(
  a: number,
  b: number,
  spread: AaSpread | undefined,
  name = 'A/A spread',
): string {
  if (spread === undefined) return `no ${name} measured`;
  const where = insideAa(a, b, spread) ? 'inside' : 'beyond';
  return `${where} the ${name} (${aaWidth(spread)})`;
}
