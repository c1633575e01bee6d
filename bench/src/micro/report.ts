import { runHeader } from '../run-header.js';
import { count, ms, percent, perCheck, table } from '../format.js';
import { SCENARIOS } from '../scenarios.js';
import { type ScenarioSummary, summarizeScenario, type VariantSummary } from './analysis.js';
import { memcachedPerCheck, redisPerCheck, type RedisPerCheck } from './backend-summary.js';
import { BYTES_BATCH } from './bytes.js';
import { formatEstimate, formatRatio, noisePercent } from './format.js';
import type { MicroResults } from './results.js';
import { judgeMicroTargets } from './targets.js';

const VERDICTS: Readonly<Record<VariantSummary['verdict'], string>> = {
  reference: 'ours: the reference',
  'A/A': 'A/A twin',
  slower: '**slower** than ours',
  faster: '**faster** than ours',
  'inside noise': 'inside noise',
};

function header(results: MicroResults): string[] {
  const { machine, options, settings } = results;
  const scenarios = options.scenarios.map((name) => `\`${name}\``).join(', ');
  return [
    ...runHeader(results),
    `- Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.kernel}; ` +
      `Node ${machine.node}; ${machine.redis}; ${machine.memcached}; ${results.pinning}. One-minute load ` +
      `average ${machine.loadAverage.toFixed(2)} when the runner started.`,
    '- The measuring process runs with `--expose-gc --max-semi-space-size=64 --min-semi-space-size=64`: ' +
      'a young generation of a fixed 64 MiB, so that scavenges are rare inside a batch (from its ' +
      'default 1 MiB start, one batch in four or five of the memory guards had one, doubling it).',
    "- What is called: each variant's real bench app (`benchAppModule`, Express adapter, `app.init()`, " +
      'not listening), and the guard instance its router uses, whose `canActivate` gets a fresh ' +
      '`ExecutionContextHost` per decision: a real `IncomingMessage` and `ServerResponse` through the ' +
      "steps of Express 5's `app.handle` and router (prototypes, `res.locals`, `params`, `route`, " +
      '`originalUrl`), the caller headers of the e2e load. A refusal is the thrown `HttpException`, ' +
      'caught and counted as a decision.',
    options.inFlight === 1
      ? '- Decisions run one after the other, each awaited (one request at a time): for Redis and ' +
        "Memcached a figure is a whole round trip plus both ends' work, and a client that defers its " +
        "writes (ioredis `enableAutoPipelining`, which this project's Redis store turns on, waits for " +
        '`setImmediate`) pays that wait on every decision; under concurrent load (the e2e bench) the ' +
        'same deferral batches writes instead. `--in-flight N` measures with N decisions awaiting at once.'
      : `- Decisions run ${options.inFlight} at a time (\`--in-flight ${options.inFlight}\`): a figure is ` +
        'the batch time over its decisions, i.e. the inverse of throughput at that concurrency.',
    `- Timing: ${options.rounds} interleaved rounds per scenario (${scenarios}); in each, every variant runs ` +
      `${settings.passes} batches of ${settings.batch} decisions (one tinybench ${settings.tinybench} ` +
      'iteration each, `process.hrtime`), next to the variants it is compared with (same backend; ' +
      '`floor` with memory): each pass over a group in a new shuffled order (A B C, C A B …), groups in ' +
      'a shuffled order too. The speed of this machine shifts between two levels within a fraction of a ' +
      'second, so the batches of a pair run milliseconds apart. A round’s requests are all built before ' +
      "it (outside the timed window, as tinybench's hooks would be) and two scavenges move them out of " +
      'the young generation. One sample = ns per decision of a batch; a round’s value = the median of ' +
      "the variant's batches in it. A first, unrecorded round absorbs what the warm-up leaves behind. " +
      'Every app is warmed first, 50 decisions at a time: 2,000 decisions, then in many-keys the ' +
      'rest of a full pass of its 10,000 callers (so every window is open and a twin, which shares the ' +
      'servers’ keys with its original, starts from the same state); deny starts with its one request ' +
      'spent. Express gives every request object a hidden class of its own (fields added after the ' +
      'prototype changes); the harness does the same, except where only state or server counters matter ' +
      '(the rest of that pass, the backend passes, memory per key): there the fields are set first. ' +
      '`ours-…′` is a second, separately built app of ours: its ratio to ours is the A/A noise floor.',
    '- Figures: median over rounds of the round values, and mean over rounds of the round means, each ' +
      'with a bootstrap 95 % CI over rounds; ratio = geometric mean over rounds of the paired per-round ' +
      "ratio (variant's round value / ours', same backend, same round), bootstrap CI. A " +
      "difference counts only when the ratio's CI excludes 1 **and** its distance from 1 exceeds the A/A " +
      "pair's |ratio − 1| upper bound on that backend. `floor` is compared with `ours-memory`.",
    '- Bytes per decision: `gc()` twice per variant, then batch after batch: ' +
      `${settings.bytesBatch} prebuilt requests, a scavenge (\`gc({ type: 'minor' })\`: it empties the ` +
      'young generation as a full collection would, in a millisecond instead of 60 with a dozen apps ' +
      'in the heap), `used_heap_size` before and after the batch, decisions one after the other. A batch ' +
      'with a collection inside (`new_space` shrank, or `v8.GCProfiler` counted one) is discarded and ' +
      `the next is half as large; median of the first ${settings.bytesBatchesKept} kept batches (of at ` +
      'most 24 tried). Nothing subtracted: `floor` shows the harness’s own share.',
    '',
  ];
}

function targetsSection(results: MicroResults, summaries: ScenarioSummary[]): string[] {
  const redis = results.scenarios.flatMap((scenario) => scenario.redis.map(redisPerCheck));
  const verdicts = judgeMicroTargets({ summaries, redis, keys: results.keys });
  const label = { met: 'Met', missed: 'Missed', 'not measured': 'Not measured' } as const;
  return [
    '### Targets (issue 11)',
    '',
    ...verdicts.map((item) => `- **${label[item.status]}** — ${item.target}. ${item.text}`),
    '',
  ];
}

function scenarioTable(summary: ScenarioSummary): string[] {
  const rows = summary.rows.map((row) => [
    `\`${row.variant.name}\``,
    formatEstimate(row.median),
    formatEstimate(row.mean),
    row.ratio === undefined ? '1' : formatRatio(row.ratio),
    row.bytes === undefined
      ? '–'
      : `${count(row.bytes.perDecision)} (${row.bytes.batches.length} kept, ${row.bytes.discarded} discarded${row.bytes.batchSize < BYTES_BATCH ? `, batches down to ${row.bytes.batchSize}` : ''})`,
    percent(row.refusedShare),
    VERDICTS[row.verdict],
  ]);
  const backends = Object.keys(summary.noise) as (keyof ScenarioSummary['noise'])[];
  const noise = backends.map(
    (backend) =>
      `${backend} ${noisePercent(summary.noise[backend])} (bytes ±${count(summary.bytesNoise[backend] ?? NaN)})`,
  );
  return [
    `#### ${summary.scenario}: ${SCENARIOS[summary.scenario].summary}`,
    '',
    table(
      [
        'variant',
        'ns/decision, median [95 % CI]',
        'mean [95 % CI]',
        'ratio to ours, same backend [95 % CI]',
        'bytes/decision',
        'refused',
        'verdict',
      ],
      rows,
    ),
    '',
    `A/A noise bound (|ratio − 1| upper bound of the twin's CI): ${noise.join('; ')}.`,
    '',
  ];
}

function redisCommands(cost: RedisPerCheck): string {
  const entries = Object.entries(cost.commands).sort((a, b) => b[1].calls - a[1].calls);
  const sent = entries
    .filter(([, command]) => command.calls > command.inScript)
    .map(
      ([name, command]) =>
        `${name} ${perCheck(command.calls - command.inScript)} × ${ms(command.usecPerCall)} µs`,
    );
  const inScripts = entries
    .filter(([, command]) => command.inScript > 0)
    .map(([name, command]) => `${name} ${perCheck(command.inScript)}`);
  return inScripts.length === 0
    ? sent.join(', ')
    : `${sent.join(', ')}; in scripts: ${inScripts.join(', ')}`;
}

function backendSection(results: MicroResults): string[] {
  const redis = results.scenarios.flatMap((scenario) => scenario.redis.map(redisPerCheck));
  const memcached = results.scenarios.flatMap((scenario) =>
    scenario.memcached.map(memcachedPerCheck),
  );
  if (redis.length === 0 && memcached.length === 0) return [];
  const lines = ['### Backend work per check', ''];
  if (redis.length > 0) {
    const listed = redis.some((cost) => Object.values(cost.commands).some((c) => c.inScript > 0));
    lines.push(
      "From Redis' own counters: `CONFIG RESETSTAT`, the checks, then `INFO commandstats stats`, both " +
        'sent by the runner on a connection of its own; what that exchange adds by itself (measured as ' +
        '`RESETSTAT` then `INFO` with nothing between) is subtracted. Round trips are the commands clients ' +
        'sent, from `MONITOR` in a second pass of the same checks (its output would inflate the bytes). ' +
        (listed
          ? 'This Redis lists the commands a script runs in `commandstats` too ("in scripts"), and counts ' +
            "their time in the script's as well: "
          : 'No command run by a script showed in `commandstats`; in any case ') +
        "server µs adds a command's time only for the calls clients sent. Checks one after the " +
        'other (the `MONITOR` pass, which only counts, 50 at a time); allow and deny: 2,000 checks, ' +
        'many-keys: 20,000 (two passes of its callers, so half open a window, as in the e2e counter ' +
        'runs); servers emptied before each pass.',
      '',
      table(
        [
          'variant',
          'scenario',
          'round trips',
          'commands sent per check × µs per call',
          'server µs per check',
          'bytes in',
          'bytes out',
        ],
        redis.map((cost) => [
          `\`${cost.variant}\``,
          cost.scenario,
          perCheck(cost.roundTrips),
          redisCommands(cost),
          ms(cost.serverUsec),
          ms(cost.bytesIn),
          ms(cost.bytesOut),
        ]),
      ),
      '',
    );
  }
  if (memcached.length > 0) {
    lines.push(
      "From Memcached's `stats` deltas over the same checks; one `stats` exchange's share (two calls with " +
        'nothing between) subtracted from bytes and CPU. Operations = get + set (`add`, `cas` and `set` all ' +
        'count there) + touch + incr + decr + delete.',
      '',
      table(
        [
          'variant',
          'scenario',
          'operations',
          'counters per check',
          'bytes read',
          'bytes written',
          'server CPU µs',
        ],
        memcached.map((cost) => [
          `\`${cost.variant}\``,
          cost.scenario,
          perCheck(cost.operations),
          Object.entries(cost.counters)
            .map(([name, value]) => `${name} ${perCheck(value)}`)
            .join(', '),
          ms(cost.bytesRead),
          ms(cost.bytesWritten),
          ms(cost.cpuUsec),
        ]),
      ),
      '',
    );
  }
  return lines;
}

function keysSection(results: MicroResults): string[] {
  if (results.keys.length === 0) return [];
  const stale = results.keys.filter((result) => result.seconds >= result.periodSeconds);
  return [
    '### Memory per live key',
    '',
    'A fresh process per store and key count (two at a time, one per core, while the servers idle): distinct callers through the guard, in process, with ' +
      '60 s windows (all still live at the end), `gc()` twice before and after; the requests get the ' +
      'same fields with the prototypes set last (one hidden class for all: six times faster to build, ' +
      'and no store keeps anything of a request); ' +
      '`ours-memory` with `memory.maxKeys` at twice the key count, so that nothing is evicted. ' +
      'Warm-up callers are in the store but not in the delta.',
    '',
    table(
      ['variant', 'keys', 'heap bytes per key', 'RSS bytes per key', 'keys held', 'seconds'],
      results.keys.map((result) => [
        `\`${result.variant}\``,
        count(result.keys),
        count(result.heapPerKey),
        count(result.rssPerKey),
        result.storeKeys === undefined
          ? 'unreadable'
          : `${count(result.storeKeys)} (${count(result.warmKeys)} warm-up)`,
        ms(result.seconds),
      ]),
    ),
    '',
    ...(stale.length > 0
      ? [
          `Longer than a window, so early keys may have expired: ${stale.map((result) => result.variant).join(', ')}.`,
          '',
        ]
      : []),
  ];
}

function notes(results: MicroResults): string[] {
  const differing = new Set(
    results.scenarios.flatMap((scenario) =>
      Object.entries(scenario.sameAsAppGet)
        .filter(([, same]) => !same)
        .map(([name]) => name),
    ),
  );
  const instances =
    differing.size === 0
      ? '`app.get(Guard, { strict: false })` returned that same instance for every variant.'
      : `\`app.get(Guard, { strict: false })\` returned another instance (the guard class is also a provider elsewhere) for: ${[...differing].join(', ')}.`;
  return [
    '### Notes',
    '',
    "- The guard called is the controller module's injectable, which Nest's router calls for " +
      `\`@UseGuards(Class)\`. ${instances}`,
    '- The scenarios run one after the other, and the speed of this machine drifts between them ' +
      '(compare `floor` across the tables): compare scenarios only relative to `floor`, as the deny ' +
      'target does; within a table, the paired ratios cancel the drift.',
    '- Refused: the share of timed decisions refused; allow and many-keys should show 0 %, deny ' +
      '100 % but for a window that reopened during the run (60 s windows).',
    '',
  ];
}

/** The Markdown section of a micro run, to go between the markers in docs/BENCHMARKS.md. */
export function renderMicroSection(results: MicroResults): string {
  const summaries = results.scenarios.map((scenario) =>
    summarizeScenario(scenario, results.variants),
  );
  return [
    '## In process: ns, bytes and backend work per decision',
    '',
    '<!-- Rendered by bench/src/micro (`npm run micro` in bench/); rerun it rather than editing. -->',
    '',
    "Each guard's `canActivate` called directly, in one process, without HTTP: what a decision costs " +
      'the app. Ratios to ours on the same backend are paired per round, and each backend has an A/A ' +
      'pair (ours built twice) to show how large a difference the machine alone makes.',
    '',
    ...header(results),
    ...targetsSection(results, summaries),
    '### ns and bytes per decision',
    '',
    ...summaries.flatMap(scenarioTable),
    ...backendSection(results),
    ...keysSection(results),
    ...notes(results),
  ].join('\n');
}
