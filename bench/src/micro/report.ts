import { count, percent, table } from '../format.js';
import { SCENARIOS } from '../scenarios.js';
import { type ScenarioSummary, summarizeScenario, type VariantSummary } from './analysis.js';
import { redisPerCheck } from './backend-summary.js';
import { backendSection, keysSection } from './report-backend.js';
import { header } from './report-method.js';
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

function targetsSection(
  results: MicroResults,
  summaries: ScenarioSummary[],
  concurrent: ScenarioSummary[],
): string[] {
  const redis = results.scenarios.flatMap((scenario) => scenario.redis.map(redisPerCheck));
  const verdicts = judgeMicroTargets({
    summaries,
    concurrent: results.concurrent && {
      inFlight: results.concurrent.inFlight,
      summaries: concurrent,
    },
    redis,
    keys: results.keys,
  });
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

function concurrentSection(results: MicroResults, summaries: ScenarioSummary[]): string[] {
  if (results.concurrent === undefined || summaries.length === 0) return [];
  const { inFlight } = results.concurrent;
  return [
    `### Under concurrency: ${inFlight} decisions in flight`,
    '',
    `The Redis and Memcached variants again, in a process of their own, ${inFlight} decisions ` +
      'awaiting at once (as concurrent requests to one app would): a figure is a batch’s time over ' +
      'its decisions, the inverse of throughput at that concurrency, where a client that writes a ' +
      'command at once lets the server work while the app goes on, and one that defers writes to ' +
      'share them does not. Same rounds, pairing and A/A twins as above; bytes are the sequential ' +
      'pass’s.',
    '',
    ...summaries.flatMap(scenarioTable),
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
  const concurrent = (results.concurrent?.scenarios ?? []).map((scenario) =>
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
    ...targetsSection(results, summaries, concurrent),
    '### ns and bytes per decision',
    '',
    ...summaries.flatMap(scenarioTable),
    ...concurrentSection(results, concurrent),
    ...backendSection(results),
    ...keysSection(results),
    ...notes(results),
  ].join('\n');
}
