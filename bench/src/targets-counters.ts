import type { CounterResult } from './counter-runs.js';
import { perCheck, percent, ratio } from './format.js';
import type { BenchResults } from './results.js';
import type { ScenarioName } from './scenarios.js';
import { aaLabel, aaSpread, find } from './summary.js';
import { COMPARED, type TargetVerdict, verdict } from './verdict.js';
import { E2E_VARIANTS, type VariantName } from './variants/catalog.js';

function countersOf(results: BenchResults, variant: VariantName, scenarios: ScenarioName[]) {
  return results.counters.filter((c) => c.variant === variant && scenarios.includes(c.scenario));
}

const describeCounters = (runs: CounterResult[]) =>
  runs.map((run) => `${perCheck(run.perRequest)} (${run.scenario})`).join(', ');

/** Backend operations per check of `variant`: exactly 1 in the `judged` scenarios. */
export function roundTrips(
  results: BenchResults,
  variant: VariantName,
  target: string,
  judged: ScenarioName[],
): TargetVerdict {
  const runs = countersOf(results, variant, COMPARED);
  const judgedRuns = runs.filter((run) => judged.includes(run.scenario));
  if (judgedRuns.length === 0) return verdict(target, undefined, 'No counter run.');
  // A refusal the local deny cache answers makes no round trip: in deny, at most one.
  const met = judgedRuns.every((run) =>
    run.scenario === 'deny' ? run.perRequest < 1.0005 : Math.abs(run.perRequest - 1) < 0.0005,
  );
  const backend = runs[0].counted;
  const peers = E2E_VARIANTS.filter((v) => v.backend === backend && v.owner !== 'ours').map(
    (peer) => {
      const theirs = countersOf(results, peer.name, COMPARED);
      return theirs.length === 0 ? '' : ` ${peer.name}: ${describeCounters(theirs)}.`;
    },
  );
  return verdict(target, met, `${variant}: ${describeCounters(runs)}.${peers.join('')}`);
}

/** The memory soak: RSS within 20 % of its warm baseline. */
export function soak(results: BenchResults): TargetVerdict {
  const target = 'ours-memory: resident memory flat (within 20 %) over 1,000,000 distinct keys';
  const run = results.soak;
  if (run === undefined) return verdict(target, undefined, 'Soak not run.');
  const text =
    `${run.keys.toLocaleString('en')} keys in ${run.seconds.toFixed(0)} s (${run.periodSeconds} s windows): ` +
    `RSS ${run.baselineMiB.toFixed(1)} MiB after the first tenth, peak ${run.peakMiB.toFixed(1)} MiB ` +
    `(${percent(run.growth)}), ${run.finalMiB.toFixed(1)} MiB at the end.`;
  const enough = run.keys >= 1_000_000 ? '' : ' (fewer keys than the target asks)';
  return verdict(target, run.growth <= 0.2, text + enough);
}

/** `tier-rules`: no query per request (the rule cache's periodic check aside). */
export function databaseQueries(results: BenchResults): TargetVerdict {
  const target = 'tier-rules: 0 database queries per request';
  const run = results.counters.find((c) => c.variant === 'ours-tier-rules');
  if (run === undefined) return verdict(target, undefined, 'Not run.');
  const queries = Object.entries(run.counts);
  const seen =
    queries.length === 0 ? 'none' : queries.map(([q, n]) => `${n} × \`${q}…\``).join(', ');
  const tiered = find(results, 'tier-rules', 'ours-tier-rules');
  const plain = find(results, 'tier-rules', 'ours-memory');
  const cost =
    tiered && plain
      ? ` Throughput with rules from the database: ratio ${ratio(tiered.ratio)} vs ${ratio(plain.ratio)} without (same callers), ` +
        `${aaLabel(tiered.ratio, plain.ratio, aaSpread(results.timed, 'tier-rules'))}.`
      : '';
  const text =
    `${run.requests.toLocaleString('en')} requests in ${run.seconds.toFixed(1)} s, queries seen: ${seen}` +
    ` (the rule cache checks for changes every 5 s, whatever the traffic). A tier-1 caller got` +
    ` \`X-RateLimit-Limit: ${run.tierOneLimit ?? '?'}\`, its rule's limit.${cost}`;
  // Queries the periodic check explains: at most one per started 5 s.
  return verdict(
    target,
    queries.length === 0 || run.perRequest * run.requests <= Math.ceil(run.seconds / 5),
    text,
  );
}
