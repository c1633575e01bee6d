import type { ScenarioName } from '../scenarios.js';
import { median } from '../stats.js';
import type { BytesResult } from './bytes.js';
import { type Backend, type MicroVariant, selectVariants, twinOf } from './catalog.js';
import type { ScenarioResult } from './decisions.js';
import { type Estimate, mean, meanEstimate, medianEstimate, ratioEstimate } from './stats.js';

/** How a variant compares with ours on the same backend. */
export type Verdict = 'reference' | 'A/A' | 'slower' | 'faster' | 'inside noise';

/** One row of a scenario's table. */
export interface VariantSummary {
  variant: MicroVariant;
  /** ns per decision: median over rounds of each round's median batch, CI over rounds. */
  median: Estimate;
  /** ns per decision: mean over rounds of each round's mean batch, CI over rounds. */
  mean: Estimate;
  /** Geometric mean over rounds of (this variant / ours, same round), CI over rounds. */
  ratio: Estimate | undefined;
  /**
   * The same against `floor` (same round): the scenarios run one after the other and the
   * machine's speed drifts between them, which this ratio cancels. Undefined without `floor`.
   */
  toFloor: Estimate | undefined;
  verdict: Verdict;
  bytes: BytesResult | undefined;
  /** Share of the timed decisions refused. */
  refusedShare: number;
}

/** A scenario's rows and the noise floor its verdicts used. */
export interface ScenarioSummary {
  scenario: ScenarioName;
  rows: VariantSummary[];
  /** Per backend: the A/A pair's |ratio − 1| upper bound (from its CI). */
  noise: Partial<Record<Backend, number>>;
  /** Per backend: |bytes(ours′) − bytes(ours)|, the A/A pair's bytes difference. */
  bytesNoise: Partial<Record<Backend, number>>;
}

/** Per round, `numerator / denominator` of the rounds' medians (paired: same round). */
function pairedRatios(numerator: number[][], denominator: number[][]): number[] {
  const rounds = Math.min(numerator.length, denominator.length);
  return Array.from({ length: rounds }, (_, r) => median(numerator[r]) / median(denominator[r]));
}

/**
 * Whether `ratio` shows a difference: its CI excludes 1 AND its distance from 1 exceeds the
 * A/A pair's (the same variant built twice), so that the noise of the machine is not read as a
 * difference of code.
 */
function judge(ratio: Estimate, noise: number): Verdict {
  const excludesOne = ratio.low > 1 || ratio.high < 1;
  if (!excludesOne || !(Math.abs(ratio.value - 1) > noise)) return 'inside noise';
  return ratio.value > 1 ? 'slower' : 'faster';
}

/** The figures, ratios and verdicts of one scenario. */
export function summarizeScenario(result: ScenarioResult, names: readonly string[]) {
  const variants = selectVariants(names).filter((variant) => result.timed[variant.name]);
  const rounds = (name: string) => result.timed[name]?.samples ?? [];
  const ratioOf = (variant: MicroVariant) =>
    ratioEstimate(pairedRatios(rounds(variant.name), rounds(variant.reference)));
  const noise: ScenarioSummary['noise'] = {};
  const bytesNoise: ScenarioSummary['bytesNoise'] = {};
  for (const variant of variants.filter((candidate) => candidate.twin)) {
    const aa = ratioOf(variant);
    noise[variant.backend] = Math.max(Math.abs(aa.low - 1), Math.abs(aa.high - 1));
    const bytes = (name: string) => result.bytes[name]?.perDecision ?? Number.NaN;
    bytesNoise[variant.backend] = Math.abs(bytes(variant.name) - bytes(variant.reference));
  }
  const rows = variants.map((variant): VariantSummary => {
    const timed = result.timed[variant.name];
    const isReference = variant.name === variant.reference;
    const ratio = isReference ? undefined : ratioOf(variant);
    const verdict: Verdict = isReference
      ? 'reference'
      : variant.twin
        ? 'A/A'
        : judge(ratio as Estimate, noise[variant.backend] ?? Number.NaN);
    const floor = result.timed.floor === undefined ? undefined : rounds('floor');
    return {
      variant,
      toFloor: floor && ratioEstimate(pairedRatios(timed.samples, floor)),
      median: medianEstimate(timed.samples.map(median)),
      mean: meanEstimate(timed.samples.map(mean)),
      ratio,
      verdict,
      bytes: result.bytes[variant.name],
      refusedShare: timed.refused / timed.decisions,
    };
  });
  return { scenario: result.scenario, rows, noise, bytesNoise } satisfies ScenarioSummary;
}

/** The twin's name of ours on `backend`, for the report's A/A lines. */
export const aaPair = (backend: Backend) => [`ours-${backend}`, twinOf(`ours-${backend}`)];
