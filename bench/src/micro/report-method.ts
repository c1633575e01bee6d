import { runHeader } from '../run-header.js';
import type { MicroResults } from './results.js';

/** The run's header and method lines: what was called, how it was timed, what a figure is. */
export function header(results: MicroResults): string[] {
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
        'writes (ioredis `enableAutoPipelining`, which `rlf-redis-pipelined` turns on, waits for ' +
        '`setImmediate`) pays that wait on every decision; under concurrent load the same deferral ' +
        'batches writes instead (the pass with decisions in flight below). `--in-flight N` times ' +
        'the main pass with N decisions awaiting at once.'
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
