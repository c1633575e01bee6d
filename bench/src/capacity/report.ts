import { count, table } from '../format.js';
import { median } from '../stats.js';
import type { ServerPass, Throughput, Workload } from './measure.js';
import type { CapacityResults } from './run.js';

const SHAPE_NAMES: Record<Workload['shape'], string> = {
  single: '1 policy, fast path',
  'one-policy': '1 policy, policies script',
  'three-policies': '3 policies, policies script',
};

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';
const micros = (value: number) => fixed(value, 2);
const percent = (share: number) => `${fixed(100 * share, 0)} %`;

const usPerCheck = (pass: ServerPass) => pass.scriptUsec / pass.checks;

/** The pass with the median µs per check (the lower middle one for an even count). */
function medianPass(passes: readonly ServerPass[]): ServerPass {
  const sorted = [...passes].sort((a, b) => usPerCheck(a) - usPerCheck(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function perCheck(calls: Record<string, number>, checks: number): string {
  const entries = Object.entries(calls).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.map(([name, n]) => `${name} ${fixed(n / checks, 2)}`).join(', ') || '–';
}

function serverTable(results: CapacityResults): string {
  const rows = results.server.map(({ workload, passes }) => {
    const values = passes.map(usPerCheck);
    const middle = medianPass(passes);
    const us = median(values);
    const refused = passes.reduce((sum, p) => sum + p.refused, 0);
    const checks = passes.reduce((sum, p) => sum + p.checks, 0);
    return [
      `\`${workload.algorithm}\``,
      SHAPE_NAMES[workload.shape],
      workload.outcome,
      `${micros(us)} [${micros(Math.min(...values))}–${micros(Math.max(...values))}]`,
      count(1e6 / us),
      micros(median(passes.map((p) => (p.redisCpuSeconds * 1e6) / p.checks))),
      fixed(middle.scriptCalls / middle.checks, 3),
      perCheck(middle.inScripts, middle.checks),
      fixed(middle.bytesIn / middle.checks, 0),
      fixed(middle.bytesOut / middle.checks, 0),
      percent(refused / checks),
    ];
  });
  return table(
    [
      'algorithm',
      'shape',
      'outcome',
      'script µs per check, median [range]',
      'checks/s per core, script only',
      'Redis CPU µs per check, all',
      'script calls per check',
      'commands inside the script per check',
      'bytes in',
      'bytes out',
      'refused',
    ],
    rows,
  );
}

const cpuUsPerCheck = (run: Throughput) => (run.redisCpuSeconds * 1e6) / run.checks;

function throughputRow(names: string[], run: Throughput): string[] {
  const cpuPerCheck = cpuUsPerCheck(run);
  const scriptPerCheck = run.scriptUsec / run.checks;
  const share = run.redisCpuSeconds / run.seconds;
  return [
    ...names,
    count(run.checks / run.seconds),
    percent(share),
    micros(cpuPerCheck),
    micros(scriptPerCheck),
    micros(cpuPerCheck - scriptPerCheck),
    count(1e6 / cpuPerCheck),
    micros((run.clientCpuSeconds * 1e6) / run.checks),
    `${fixed(run.p50Ms, 2)} / ${fixed(run.p99Ms, 2)}`,
  ];
}

function throughputTable(
  runs: CapacityResults['throughput'],
  baseline: CapacityResults['baseline'],
): string {
  const rows = runs.map(({ workload: w, run }) =>
    throughputRow([`\`${w.algorithm}\``, SHAPE_NAMES[w.shape], w.outcome], run),
  );
  rows.unshift(throughputRow(['null script', '`return {0, 0}`', '–'], baseline));
  return table(
    [
      'algorithm',
      'shape',
      'outcome',
      'checks/s reached',
      'Redis CPU, share of a core',
      'Redis CPU µs per check, all',
      'of which in the script (commandstats, wall)',
      'outside the script',
      'checks/s at 100 % of one Redis core',
      'client CPU µs per check',
      'latency p50 / p99 ms',
    ],
    rows,
  );
}

function memoryTable(results: CapacityResults): string {
  const rows = results.memory.map((run) => [
    `\`${run.algorithm}\``,
    run.shape === 'single' ? '1 policy' : '3 policies',
    count(run.callers),
    count(run.keys),
    count(run.usedMemoryDelta / run.keys),
    count(run.usedMemoryDelta / run.callers),
    run.memoryUsage.map(count).join(' + '),
    micros(run.scriptUsecPerCheck),
  ]);
  return table(
    [
      'algorithm',
      'policies',
      'callers',
      'keys (DBSIZE)',
      'used_memory Δ per key, B',
      'per caller, B',
      'MEMORY USAGE of one caller’s keys, B',
      'script µs of a caller’s first check',
    ],
    rows,
  );
}

/** The Markdown report of a run. */
export function renderReport(results: CapacityResults): string {
  const { machine, options } = results;
  const project = `${results.project.commit}${results.project.uncommittedChanges ? ' (with uncommitted changes)' : ''}`;
  const command = `cd bench && npm run capacity${results.argv.length > 0 ? ` -- ${results.argv.join(' ')}` : ''}`;
  return `# Capacity inputs

<!-- Written by bench/src/capacity (\`npm run capacity\` in bench/); rerun it rather than editing. -->

\`\`\`sh
${command}
\`\`\`

- Run ${results.startedAt} → ${results.finishedAt}, project at commit \`${project}\`.
- Machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.kernel}; Node ${machine.node}; ${machine.redis}. ${results.pinning}. One-minute load average ${machine.loadAverage.toFixed(2)} at the start, ${results.loadAverageEnd.toFixed(2)} at the end (this run's Redis and Node count in the latter: up to 2 on their own).
- The store: \`RedisRateLimitStore\` of the built package (\`bench/node_modules/nest-tier-rate-limit\`), scripts by EVALSHA, a throwaway \`redis-server --save '' --appendonly no --databases 32\`; each workload counts in a database of its own, so that keys are byte-identical across workloads.
- Keys as the guard builds them: \`ratelimit:{user:caller-000042}:api_v1_widgets_1#GET@api_v1_widgets_{id}\` (1 policy, 60 s); 3 policies: that key with \`#60s\` (60 s) and \`#3600s\` (3,600 s), and the total budget \`ratelimit:{user:caller-000042}:*\` (3,600 s), all one hash tag. Allowed: ${count(1000)} callers in turn, whose keys exist after a warm-up, limit 10⁹ per period (never reached; GCRA: 1 per minute with bursts of 10⁹, so that a cell stays ahead of the clock and its key lives between checks, as an active caller's does); refused: limit 1 (GCRA burst 1), one caller, past its first check.

## Redis CPU per check

\`CONFIG RESETSTAT\`, ${count(options.checks)} checks one after the other (each awaited, one connection), then \`INFO commandstats stats\`, both on a connection of their own. Figure: \`evalsha\` + \`eval\` usec over the checks. A script's usec includes the commands it runs (Redis 7 also lists those, "inside the script"), not the reading of the request, the event loop or the socket writes. ${options.passes} passes of every workload, interleaved (a new order each pass): median and range of the passes. "checks/s per core, script only" is 1,000,000 / that median: the server-side bound of the script alone, ignoring network syscalls. "Redis CPU µs per check, all" is Redis' own CPU over the pass (\`used_cpu_sys\` + \`used_cpu_user\` of \`INFO cpu\` before and after, median of the passes): the script plus reading, parsing and answering each request, one read and one write syscall per check at this pace. Script usec is wall time inside the call: on a shared machine, a preemption of Redis in mid-script inflates it, while CPU time does not count it. Bytes are Redis' \`total_net_input_bytes\` / \`total_net_output_bytes\` over the pass, per check (one \`INFO\` request included, under 0.1 B per check).

${serverTable(results)}

## The ceiling with connections

A store of ${options.connections} connections (\`poolSize\`, round-robin), ${options.inFlight} checks awaiting at once from this one process, for ${options.seconds} s, on the keys the passes left. Redis CPU: \`used_cpu_sys\` + \`used_cpu_user\` of \`INFO cpu\` before and after (the whole server: script, protocol, syscalls). The first row is the same load with a script that does nothing (\`return {0, 0}\`, one key and one argument, as the fast path sends, on plain ioredis connections): what a round trip costs Redis beside counting (reading and parsing the request, calling a script, the reply, the syscalls). "Outside the script" is Redis CPU minus the scripts' \`commandstats\` time: protocol, event loop and syscalls per check, meaningful where Redis ran near 100 % (below that, each check also pays the server's wake-ups from idle, and preemption makes the wall-time script figure unreliable). When Redis ran below 100 % of its core, the client (one Node process on one core) was the limit, and "checks/s at 100 % of one Redis core" is extrapolated: 1,000,000 / Redis CPU µs per check, a conservative figure, since a busier server reads more commands per syscall. Client CPU is this process's (store, ioredis, harness) per check. Script µs are \`commandstats\`' wall time (see above): a negative "outside" means Redis was preempted in mid-script (the machine was busy).

${throughputTable(results.throughput, results.baseline)}

## The ceiling with a fleet's connections

The same, with ${options.fleetConnections} connections and ${options.inFlight} checks in flight: about one check per connection at a time, as a Redis serving many app processes sees them (each of their connections carries few checks at once, so Redis reads and answers them one by one instead of several per syscall). Each algorithm's fast path and three policies, allowed.

${throughputTable(results.fleet, results.fleetBaseline)}

## Memory per key

\`FLUSHALL\`, \`used_memory\` (\`INFO memory\`), one first check for each of ${count(options.callers)} distinct callers (${options.inFlight} at once; 2 per 3,600 s on every policy, so nothing is refused and every key lives half an hour or more), half a second of settling, \`used_memory\` and \`DBSIZE\` again, then \`MEMORY USAGE key SAMPLES 0\` of caller 0's keys. The Δ includes the key dictionaries and the expiry dictionary (each key has a TTL), which grow in powers of two: per-key figures move a little with the key count. The script µs column is \`commandstats\` over those first checks (every one creates its keys).

${memoryTable(results)}
`;
}
