import type { BenchResults, TimedRun } from './results.js';
import type { ScenarioName } from './scenarios.js';
import { median } from './stats.js';
import type { VariantName } from './variants/catalog.js';

/** One variant in one scenario, over all rounds. */
export interface VariantSummary {
  variant: VariantName;
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

/** The summaries of one scenario, in the order the variants ran. */
export function summarizeScenario(timed: TimedRun[], scenario: ScenarioName): VariantSummary[] {
  const runs = timed.filter((run) => run.scenario === scenario);
  const baseline = new Map(
    runs.filter((run) => run.variant === 'none').map((run) => [run.round, run.load.rps]),
  );
  const variants = [...new Set(runs.map((run) => run.variant))];
  return variants.map((variant) => {
    const own = runs.filter((run) => run.variant === variant);
    const responses = own.reduce((sum, run) => sum + run.load.requests, 0);
    const refused = own.reduce((sum, run) => sum + (run.load.statuses['429'] ?? 0), 0);
    const ratios = own.map((run) => run.load.rps / (baseline.get(run.round) ?? Number.NaN));
    return {
      variant,
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

/** The summary of `variant` in `scenario`, if it ran. */
export function find(
  results: BenchResults,
  scenario: ScenarioName,
  variant: VariantName,
): VariantSummary | undefined {
  return summarizeScenario(results.timed, scenario).find((row) => row.variant === variant);
}
