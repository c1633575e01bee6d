import { count, ms, perCheck, table } from '../format.js';
import { memcachedPerCheck, redisPerCheck, type RedisPerCheck } from './backend-summary.js';
import type { MicroResults } from './results.js';

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

const passesNote = (passes: number) =>
  `${passes} passes of each variant, interleaved (a new order each time), since a server's µs ` +
  "move with this machine's speed: the figures are the pass with the median µs, and the range " +
  'is all passes’.';

/** Redis and Memcached work per check, from their own counters. */
export function backendSection(results: MicroResults): string[] {
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
        `runs); servers emptied before each pass. ${passesNote(redis[0].passes)}`,
      '',
      table(
        [
          'variant',
          'scenario',
          'round trips',
          'commands sent per check × µs per call',
          'server µs per check, median [range]',
          'bytes in',
          'bytes out',
        ],
        redis.map((cost) => [
          `\`${cost.variant}\``,
          cost.scenario,
          perCheck(cost.roundTrips),
          redisCommands(cost),
          `${ms(cost.serverUsec)} [${ms(cost.range[0])}–${ms(cost.range[1])}]`,
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
        `count there) + touch + incr + decr + delete. ${passesNote(memcached[0].passes)}`,
      '',
      table(
        [
          'variant',
          'scenario',
          'operations',
          'counters per check',
          'bytes read',
          'bytes written',
          'server CPU µs, median [range]',
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
          `${ms(cost.cpuUsec)} [${ms(cost.range[0])}–${ms(cost.range[1])}]`,
        ]),
      ),
      '',
    );
  }
  return lines;
}

/** Memory per live key of the in-memory stores. */
export function keysSection(results: MicroResults): string[] {
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
