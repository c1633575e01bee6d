import { ms, ratio, ratios } from './format.js';
import type { BenchResults } from './results.js';
import { aaLabel, aaSpread, find, summarizeScenario } from './summary.js';
import { databaseQueries, roundTrips, soak } from './targets-counters.js';
import { COMPARED, type TargetVerdict, verdict } from './verdict.js';
import { E2E_VARIANTS, type VariantName } from './variants/catalog.js';

/** Judges every target of issue 4 against `results`. */
export function judgeTargets(results: BenchResults): TargetVerdict[] {
  return [
    roundTrips(
      results,
      'ours-redis',
      'Redis store: exactly 1 round trip per check (at most 1 in deny: the local deny cache answers refusals)',
      ['allow', 'deny', 'many-keys'],
    ),
    ratioAtLeast(results, 'ours-redis', 0.92),
    aheadOf(results, 'ours-redis', 'rlf-redis'),
    ratioAtLeast(results, 'ours-memory', 0.96),
    soak(results),
    roundTrips(
      results,
      'ours-memcached',
      'Memcached store: 1 round trip per check in the steady state (allow; at most 1 in deny, where the local deny cache answers refusals; in many-keys half the checks open a window)',
      ['allow', 'deny'],
    ),
    aheadOf(results, 'ours-memcached', 'rlf-memcached'),
    databaseQueries(results),
    p99(results),
  ];
}

function ratioAtLeast(results: BenchResults, variant: VariantName, floor: number): TargetVerdict {
  const target = `${variant}: ratio to the unprotected route ≥ ${floor} in allow`;
  const row = find(results, 'allow', variant);
  if (row === undefined) return verdict(target, undefined, 'allow not run.');
  const spread = aaSpread(results.timed, 'allow');
  const best = summarizeScenario(results.timed, 'allow')
    .filter(
      (other) =>
        other.variant !== 'none' &&
        other.variant !== variant &&
        !other.twin &&
        other.ratio > row.ratio,
    )
    .map(
      (other) =>
        `${other.variant} ${ratio(other.ratio)}, ${aaLabel(other.ratio, row.ratio, spread)}`,
    );
  const ahead = best.length === 0 ? ' No variant is ahead.' : ` Ahead of it: ${best.join('; ')}.`;
  const gap = spread ? `; its distance to ${floor} is ${aaLabel(row.ratio, floor, spread)}` : '';
  return verdict(
    target,
    row.ratio >= floor,
    `${variant}: ${ratio(row.ratio)}${gap}.${ahead}${floorNote(results, floor)}`,
  );
}

/** When the do-nothing `floor` guard itself stays under a target, no guard can be shown to meet it. */
function floorNote(results: BenchResults, target: number): string {
  const list = COMPARED.flatMap((scenario) => {
    const row = find(results, scenario, 'floor');
    if (row === undefined) return [];
    const versus = aaLabel(row.ratio, 1, aaSpread(results.timed, scenario));
    return [`${ratio(row.ratio)} (${scenario}; vs none: ${versus})`];
  }).join(', ');
  if (list === '') return '';
  return (find(results, 'allow', 'floor')?.ratio ?? Infinity) < target
    ? ` The \`floor\` guard, which counts nothing, measured ${list}: a guard doing no work at all stays under ${target} here, so the target is inside this machine's noise.`
    : ` The \`floor\` guard, which counts nothing, measured ${list}.`;
}

function aheadOf(results: BenchResults, ours: VariantName, peer: VariantName): TargetVerdict {
  const target = `${ours} ahead of ${peer} (ratio) in every scenario`;
  const lines = COMPARED.flatMap((scenario) => {
    const mine = find(results, scenario, ours);
    const theirs = find(results, scenario, peer);
    if (mine === undefined || theirs === undefined) return [];
    const spread = aaSpread(results.timed, scenario);
    const label = aaLabel(mine.ratio, theirs.ratio, spread);
    return [{ scenario, ahead: mine.ratio > theirs.ratio, mine, theirs, label }];
  });
  if (lines.length === 0) return verdict(target, undefined, 'Not run.');
  const text = lines
    .map(
      (l) =>
        `${l.scenario}: ${ratios(l.mine.ratio, l.theirs.ratio)}${l.ahead ? '' : ` (**${peer} ahead**)`}, ${l.label}`,
    )
    .join('; ');
  return verdict(
    target,
    lines.every((line) => line.ahead),
    `${text}.`,
  );
}

function p99(results: BenchResults): TargetVerdict {
  const target = 'p99 no worse than the best peer on the same backend';
  const misses: string[] = [];
  const checked: string[] = [];
  for (const scenario of COMPARED) {
    const rows = summarizeScenario(results.timed, scenario).filter((row) => !row.twin);
    for (const ours of E2E_VARIANTS.filter(
      (v) => v.owner === 'ours' && v.name !== 'ours-tier-rules',
    )) {
      const mine = rows.find((row) => row.variant === ours.name);
      const peers = E2E_VARIANTS.filter((v) => v.owner !== 'ours' && v.backend === ours.backend)
        .map((peer) => rows.find((row) => row.variant === peer.name))
        .filter((row) => row !== undefined);
      if (mine === undefined || peers.length === 0) continue;
      const best = peers.reduce((a, b) => (a.p99 <= b.p99 ? a : b));
      checked.push(`${scenario}/${ours.backend}`);
      if (mine.p99 > best.p99) {
        const spread = aaSpread(results.timed, scenario, 'p99');
        misses.push(
          `${scenario}: ${ours.name} ${ms(mine.p99)} ms vs ${best.variant} ${ms(best.p99)} ms, ` +
            aaLabel(mine.p99, best.p99, spread, 'p99 A/A spread'),
        );
      }
    }
  }
  if (checked.length === 0) return verdict(target, undefined, 'Not run.');
  const text =
    misses.length === 0
      ? `Met in all ${checked.length} comparisons.`
      : `Behind: ${misses.join('; ')}.`;
  return verdict(target, misses.length === 0, `${text}${floorP99Note(results)}`);
}

/** The p99 of the `floor` guard, which does no work: how far p99 moves by noise alone. */
function floorP99Note(results: BenchResults): string {
  const list = COMPARED.flatMap((scenario) => {
    const floorRow = find(results, scenario, 'floor');
    const noneRow = find(results, scenario, 'none');
    if (floorRow === undefined || noneRow === undefined) return [];
    return [`${scenario} ${ms(floorRow.p99)} ms (unprotected ${ms(noneRow.p99)} ms)`];
  });
  return list.length === 0
    ? ''
    : ` For scale, the \`floor\` guard, which counts nothing, had p99 ${list.join(', ')}.`;
}

/** Every peer whose median ratio beats ours on the same backend, per scenario. */
export function peersAhead(results: BenchResults): string[] {
  return COMPARED.flatMap((scenario) => {
    const rows = summarizeScenario(results.timed, scenario).filter((row) => !row.twin);
    return E2E_VARIANTS.filter((v) => v.owner === 'ours' && v.name !== 'ours-tier-rules').flatMap(
      (ours) => {
        const mine = rows.find((row) => row.variant === ours.name);
        if (mine === undefined) return [];
        return E2E_VARIANTS.filter((v) => v.owner !== 'ours' && v.backend === ours.backend).flatMap(
          (peer) => {
            const theirs = rows.find((row) => row.variant === peer.name);
            if (theirs === undefined || theirs.ratio <= mine.ratio) return [];
            const label = aaLabel(theirs.ratio, mine.ratio, aaSpread(results.timed, scenario));
            return [
              `${scenario}, ${ours.backend}: **${peer.name}** ahead of ${ours.name}, ` +
                `${ratios(theirs.ratio, mine.ratio)}: ${label}`,
            ];
          },
        );
      },
    );
  });
}
