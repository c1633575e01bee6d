import type { CounterResult } from './counter-runs.js';
import { count, counts, ms, percent, perCheck, ratio, table } from './format.js';
import { CONNECTIONS } from './load.js';
import { notes } from './report-notes.js';
import type { BenchResults } from './results.js';
import { SCENARIOS } from './scenarios.js';
import { summarizeScenario } from './summary.js';
import { judgeTargets, peersAhead } from './targets.js';
import { VARIANTS } from './variants/catalog.js';

/** The Markdown report of a run: what docs/BENCHMARKS.md holds. */
export function renderReport(results: BenchResults): string {
  return [
    '# Benchmarks',
    '',
    '<!-- Written by bench/ (`npm run bench` in bench/); rerun it rather than editing by hand. -->',
    '',
    "This project's guard against the rate limiters a NestJS user would otherwise pick, measured " +
      'side by side in one run on one machine. **The figure to compare is the ratio**: requests ' +
      'per second with the guard divided by those of the same route unprotected, in the same ' +
      'round. Absolute numbers depend on the machine; ratios travel better.',
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
  const { machine, options, project } = results;
  const dirty = project.uncommittedChanges ? ' plus uncommitted changes in src/' : '';
  return [
    '## Command, machine, method',
    '',
    '```sh',
    'cd bench && npm ci && ' + results.command,
    '```',
    '',
    `- Run ${results.startedAt} → ${results.finishedAt}, project at commit \`${project.commit}\`${dirty}.`,
    `- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.kernel}; ` +
      `Node ${machine.node}; ${machine.redis}; ${machine.memcached}. One-minute load average ` +
      `${machine.loadAverage.toFixed(2)} when the runner started (it counts the minute before, ` +
      'which holds the build `npm run bench` runs first).',
    `- Load: autocannon in the runner's process, ${CONNECTIONS} keep-alive connections, against one app process ` +
      `per variant and round (Express). ${options.rounds} round(s); in each, every scenario runs every variant in turn ` +
      `(A B C … A B C …), each ${options.warmupSeconds} s of warm-up then ${options.durationSeconds} s measured, ` +
      'on a fresh app process, with the throwaway Redis and Memcached flushed before it.',
    '- Figures: median req/s over rounds; median of the per-round ratio to `none`, and its lowest and ' +
      'highest round; median p99; median CPU time of the app process per response (from /proc: the app ' +
      'is CPU-bound, so this is the cost the guard adds, `none` subtracted); 429s as a share of ' +
      'responses; errors = socket errors + timeouts + statuses other than 2xx and 429, all rounds.',
    '- Noise: on this machine the same unprotected app varies by ±15 % from one second to the next ' +
      '(its CPU time per request varies with it: the noise is in the machine, not in the scheduling). ' +
      'Read differences of a few hundredths between ratios as ties; the range column shows the spread.',
    '- Backend counters come from separate runs (below), never from the timed windows.',
    '',
  ];
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
    const rows = summarizeScenario(results.timed, scenario).map((row) => [
      `\`${row.variant}\``,
      count(row.rps),
      row.variant === 'none' ? '1.00' : `**${ratio(row.ratio)}**`,
      row.variant === 'none' ? '' : `${ratio(row.ratioRange[0])}–${ratio(row.ratioRange[1])}`,
      ms(row.p99),
      count(row.appCpuUs),
      percent(row.refused),
      count(row.errors),
    ]);
    const head = [
      'variant',
      'req/s',
      'ratio to none',
      'ratio range',
      'p99 ms',
      'app CPU µs/req',
      '429s',
      'errors',
    ];
    return [`### ${scenario}`, '', `${SCENARIOS[scenario].summary}.`, '', table(head, rows), ''];
  });
  const legend = VARIANTS.map((v) => `\`${v.name}\`: ${v.label}`).join('; ');
  return ['## Throughput and latency', '', `Variants — ${legend}.`, '', ...sections];
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
