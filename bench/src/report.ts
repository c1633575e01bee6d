import { runHeader } from './run-header.js';
import type { Pinning } from './affinity.js';
import type { CounterResult } from './counter-runs.js';
import { count, counts, ms, percent, perCheck, ratio, table } from './format.js';
import { CONNECTIONS } from './load.js';
import { notes } from './report-notes.js';
import type { BenchResults } from './results.js';
import { SCENARIOS } from './scenarios.js';
import { aaLabel, aaSpread, aaWidth, insideAa, summarizeScenario } from './summary.js';
import { judgeTargets, peersAhead } from './targets.js';
import { AA_TWINS, runName, E2E_VARIANTS } from './variants/catalog.js';

/** The first comment of the report: the micro benchmarks' block goes right under it. */
const WRITTEN_BY =
  '<!-- Written by bench/ (`npm run bench` in bench/); rerun it rather than editing by hand. -->';

/** The block the in-process micro benchmarks write into the same file. */
const MICRO_BLOCK = /<!-- micro:start -->[\s\S]*?<!-- micro:end -->/;

/** The micro benchmarks' block of a report, verbatim, if it has one. */
export const readMicroBlock = (report: string) => MICRO_BLOCK.exec(report)?.[0];

/** `report` with the micro benchmarks' `block` right after its first comment. */
export function withMicroBlock(report: string, block: string): string {
  const at = report.indexOf(WRITTEN_BY);
  if (at < 0) throw new Error('The report lacks its first comment');
  const end = at + WRITTEN_BY.length;
  return `${report.slice(0, end)}\n\n${block}${report.slice(end)}`;
}

/**
 * The Markdown report of a run: what docs/BENCHMARKS.md holds. `microAbove`: the micro
 * benchmarks' block will be put above it (see {@link withMicroBlock}).
 */
export function renderReport(results: BenchResults, { microAbove = false } = {}): string {
  const micro = microAbove
    ? 'the in-process micro benchmarks above are the instrument that decides small differences'
    : 'the in-process micro benchmarks (`bench/src/micro/`) are the instrument that decides ' +
      'small differences';
  return [
    '# Benchmarks',
    '',
    WRITTEN_BY,
    '',
    '## End-to-end',
    '',
    "This is the end-to-end picture: this project's guard against the rate limiters a NestJS user " +
      'would otherwise pick, each in a real app process loaded over HTTP, side by side in one run on ' +
      'one machine. **The figure to compare is the ratio**: requests per second with the guard ' +
      'divided by those of the same route unprotected, in the same round. Absolute numbers depend ' +
      'on the machine; ratios travel better. Whole requests on a small machine resolve only ' +
      `differences beyond the A/A spread reported next to every ratio; ${micro}.`,
    '',
    ...header(results),
    ...targets(results),
    ...timed(results),
    ...countersSection(results),
    ...soakSection(results),
    ...notes(results),
  ].join('\n');
}

function header(results: BenchResults): string[] {
  const { machine, options } = results;
  const twins = ranTwins(results)
    ? ` and then the A/A twins ${AA_TWINS.map((v) => `\`${runName(v, true)}\``).join(' and ')}`
    : '';
  return [
    '## Command, machine, method',
    '',
    ...runHeader(results),
    `- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.kernel}; ` +
      `Node ${machine.node}; ${machine.redis}; ${machine.memcached}. One-minute load average ` +
      `${machine.loadAverage.toFixed(2)} when the runner started (it counts the minute before, ` +
      'which holds the build `npm run bench` runs first).',
    `- Load: autocannon in the runner's process, ${CONNECTIONS} keep-alive connections, against one app process ` +
      `per variant and round (Express). ${options.rounds} round(s); in each, every scenario runs every variant in turn ` +
      `(A B C … A B C …)${twins}, each ${options.warmupSeconds} s of warm-up then ` +
      `${options.durationSeconds} s measured, on a fresh app process, with the throwaway Redis and Memcached ` +
      'flushed before it.',
    `- CPUs: ${pinningText(results.pinning)}`,
    '- Figures: median req/s over rounds; median of the per-round ratio to `none`, and its lowest and ' +
      'highest round; median p99; median CPU time of the app process per response (from /proc: the app ' +
      'is CPU-bound, so this is the cost the guard adds, `none` subtracted); 429s as a share of ' +
      'responses; errors = socket errors + timeouts + statuses other than 2xx and 429, all rounds.',
    `- A/A spread: ${aaMethod(results)}`,
    '- Backend counters come from separate runs (below), never from the timed windows.',
    '',
  ];
}

/** Whether the run had A/A twins (runs before them did not). */
const ranTwins = (results: BenchResults) => results.timed.some((run) => run.twin === true);

function pinningText(pinning: Pinning | undefined): string {
  if (pinning === undefined) return 'not pinned (this run predates pinning).';
  if (!pinning.pinned)
    return `not pinned (${pinning.reason}): the app, the runner and the servers share every CPU.`;
  const observed = Object.entries(pinning.observed)
    .map(([name, cpus]) => `${name} ${cpus}`)
    .join(', ');
  return (
    `pinned with \`taskset\`: every app process on CPU ${pinning.appCpu} (\`taskset -c ${pinning.appCpu} node …\`), ` +
    `the runner — autocannon, every thread — and the throwaway Redis and Memcached it starts on CPU ${pinning.runnerCpu} ` +
    `(\`taskset -a -c -p ${pinning.runnerCpu}\` of the runner before it starts them). The load generator and ` +
    `the app it measures do not share a core. Read back from /proc (\`Cpus_allowed_list\` of every thread): ${observed}.`
  );
}

function aaMethod(results: BenchResults): string {
  if (!ranTwins(results)) {
    return 'not measured (no A/A twins in this run): read differences of a few hundredths between ratios as ties.';
  }
  const pairs = AA_TWINS.map((v) => `\`${runName(v, true)}\` / \`${v}\``).join(' and ');
  return (
    `in every round and scenario ${pairs} — the same wiring again, in a process of its own, last in ` +
    "the scenario's turn — measure identical code against itself. Their per-round req/s ratios " +
    '(range and IQR per scenario, below) are the noise of this machine; the widest of them, as a ' +
    "factor either way (0.90 counts as 1 / 0.90 = 1.11, ±11 %), is the scenario's A/A spread. Two " +
    'figures whose ratio, larger over smaller, is no more than it are **inside the A/A spread**: this ' +
    'run cannot tell them apart, whichever is ahead. Only ' +
    'differences beyond it are measured. The comparison is conservative: it sets medians over rounds ' +
    'against the spread of single rounds.'
  );
}

function targets(results: BenchResults): string[] {
  const lines = judgeTargets(results).map(
    (v) =>
      `- **${v.status === 'met' ? 'Met' : v.status === 'missed' ? 'Missed' : 'Not measured'}** — ${v.target}. ${v.text}`,
  );
  const ahead = peersAhead(results).map((line) => `- ${line}`);
  return [
    '## Targets (issue 4)',
    '',
    ...lines,
    '',
    '### Where a peer is ahead (median ratio, same backend)',
    '',
    ...(ahead.length === 0 ? ['No peer is ahead of this project on its backend.'] : ahead),
    '',
  ];
}

function timed(results: BenchResults): string[] {
  const sections = results.options.scenarios.flatMap((scenario) => {
    const spread = aaSpread(results.timed, scenario);
    const rows = summarizeScenario(results.timed, scenario).map((row) => {
      const baseline = row.variant === 'none' && !row.twin;
      const versus =
        spread === undefined ? '–' : insideAa(row.ratio, 1, spread) ? 'inside' : '**beyond**';
      return [
        `\`${runName(row.variant, row.twin)}\``,
        count(row.rps),
        baseline ? '1.00' : `**${ratio(row.ratio)}**`,
        baseline ? '' : `${ratio(row.ratioRange[0])}–${ratio(row.ratioRange[1])}`,
        spread === undefined ? '–' : aaWidth(spread),
        baseline ? 'baseline' : row.twin ? `A/A twin (${versus})` : versus,
        ms(row.p99),
        count(row.appCpuUs),
        percent(row.refused),
        count(row.errors),
      ];
    });
    const head = [
      'variant',
      'req/s',
      'ratio to none',
      'ratio range',
      'A/A spread',
      'vs none',
      'p99 ms',
      'app CPU µs/req',
      '429s',
      'errors',
    ];
    return [
      `### ${scenario}`,
      '',
      `${SCENARIOS[scenario].summary}. ${aaSentence(spread)}`,
      '',
      table(head, rows),
      '',
    ];
  });
  const twins = AA_TWINS.map((v) => `\`${runName(v, true)}\``).join(', ');
  const legend = [
    ...E2E_VARIANTS.map((v) => `\`${v.name}\`: ${v.label}`),
    ...(ranTwins(results)
      ? [
          `${twins}: the A/A twins, the same variants again in processes of their own, last in each scenario`,
        ]
      : []),
  ].join('; ');
  return [
    '## Throughput and latency',
    '',
    `Variants — ${legend}.`,
    '',
    '"vs none" says whether the ratio to `none` is inside the A/A spread (no cost this run can ' +
      'measure) or beyond it.',
    '',
    ...aaTable(results),
    ...sections,
  ];
}

function aaSentence(spread: ReturnType<typeof aaSpread>): string {
  if (spread === undefined) return 'No A/A twin ran.';
  const [low, high] = spread.range;
  const [q1, q3] = spread.iqr;
  return (
    `A/A (twin / original, per round): range ${ratio(low)}–${ratio(high)}, IQR ${ratio(q1)}–${ratio(q3)}: ` +
    `differences up to ${aaWidth(spread)} are inside the A/A spread.`
  );
}

/** The A/A spreads of every scenario, req/s and p99. */
function aaTable(results: BenchResults): string[] {
  const rows = results.options.scenarios.flatMap((scenario) => {
    const rps = aaSpread(results.timed, scenario);
    const p99 = aaSpread(results.timed, scenario, 'p99');
    if (rps === undefined || p99 === undefined) return [];
    const span = ([low, high]: [number, number]) => `${ratio(low)}–${ratio(high)}`;
    return [
      [
        scenario,
        rps.byTwin
          .map(({ variant, ratios }) => `${runName(variant, true)}: ${ratios.map(ratio).join(' ')}`)
          .join('; '),
        span(rps.range),
        span(rps.iqr),
        `**${aaWidth(rps)}**`,
        span(p99.range),
        aaWidth(p99),
      ],
    ];
  });
  if (rows.length === 0) return [];
  const head = [
    'scenario',
    'req/s, twin / original, each round',
    'range',
    'IQR',
    'A/A spread',
    'p99 range',
    'p99 A/A spread',
  ];
  return ['### A/A spread', '', table(head, rows), ''];
}

function countersSection(results: BenchResults): string[] {
  if (results.counters.length === 0) return [];
  const rows = (counted: CounterResult['counted']) =>
    results.counters
      .filter((run) => run.counted === counted)
      .map((run) => [
        `\`${run.variant}\``,
        run.scenario,
        count(run.requests),
        `**${perCheck(run.perRequest)}**`,
        counts(run.counts),
      ]);
  const head = (unit: string) => ['variant', 'scenario', 'requests', unit, 'counted'];
  return [
    '## Backend operations per check',
    '',
    'Separate runs of 5,000 requests (20,000 in many-keys: two passes over the 10,000 callers, so half ' +
      'the checks open a window), same 50 connections, from flushed servers, after one warm-up request ' +
      "by the scenario's first caller (connections open, scripts loaded, that caller's window open: " +
      'allow and deny count the steady state).',
    '',
    '**Redis**: commands from clients seen by `MONITOR`, commands run inside scripts (`[… lua]`) excluded.',
    '',
    table(head('round trips per check'), rows('redis')),
    '',
    '**Memcached**: `stats` deltas (`cmd_get`, `cmd_set` — which counts `add` —, `cmd_touch`, `incr`, `decr` and `delete` hits + misses).',
    '',
    table(head('operations per check'), rows('memcached')),
    '',
    '**Database** (`tier-rules`): queries seen by the TypeORM logger while the requests ran.',
    '',
    table(head('queries per request'), rows('database')),
    '',
  ];
}

function soakSection(results: BenchResults): string[] {
  const run = results.soak;
  if (run === undefined) return [];
  const step = Math.max(1, Math.floor(run.samples.length / 10));
  const rows = run.samples
    .filter((_, index) => index % step === 0 || index === run.samples.length - 1)
    .map((sample) => [count(sample.keys), sample.rssMiB.toFixed(1)]);
  return [
    '## Memory soak',
    '',
    `\`ours-memory\` (default \`maxKeys\` 100,000), ${run.periodSeconds} s windows, ` +
      `${count(run.keys)} requests each from a new caller in ${run.seconds.toFixed(0)} s; RSS of the app ` +
      `read from /proc every 0.5 s. Baseline after the first tenth: ${run.baselineMiB.toFixed(1)} MiB; ` +
      `peak after it: ${run.peakMiB.toFixed(1)} MiB (${percent(run.growth)}); end: ${run.finalMiB.toFixed(1)} MiB; errors: ${run.errors}.`,
    '',
    table(['keys sent', 'RSS MiB'], rows),
    '',
  ];
}
