import { count } from '../format.js';
import type { ScenarioSummary, VariantSummary } from './analysis.js';
import { formatRatio, noisePercent } from './format.js';

const rowOf = (summary: ScenarioSummary | undefined, name: string) =>
  summary?.rows.find((candidate) => candidate.variant.name === name);

/**
 * For a peer on a shared store that the sequential pass could not tell from ours: what the pass
 * with many decisions in flight predicts for it. There a batch's time per decision bounds the
 * app's own work per decision (the app's core is what waits least), so a difference of
 * `ratio − 1` in that work moves a sequential decision, mostly a round trip, by only
 * `(ratio − 1) × concurrent / sequential`.
 */
export function sequentialExpectation(
  sequential: ScenarioSummary,
  concurrent: { inFlight: number; summaries: ScenarioSummary[] } | undefined,
  peer: VariantSummary,
): string | undefined {
  const { backend, name, reference } = peer.variant;
  const busy = concurrent?.summaries.find((summary) => summary.scenario === sequential.scenario);
  const theirs = rowOf(busy, name)?.ratio;
  const oursBusy = rowOf(busy, reference)?.median.value;
  const oursAlone = rowOf(sequential, reference)?.median.value;
  const noise = sequential.noise[backend];
  if (!concurrent || !theirs || !oursBusy || !oursAlone || noise === undefined) return undefined;
  const share = oursBusy / oursAlone;
  const expected = 1 + (theirs.value - 1) * share;
  const inside = Math.abs(expected - 1) <= noise ? 'inside' : 'beyond';
  return (
    `with ${concurrent.inFlight} in flight it is ${formatRatio(theirs)}× ours; ours' own work, ` +
    `at most ${count(oursBusy)} ns there, is ${Math.round(share * 100)} % of a decision made alone ` +
    `(${count(oursAlone)} ns), so that difference predicts about ${expected.toFixed(3)}× here, ${inside} ` +
    `the ${noisePercent(noise)} A/A bound`
  );
}
