import { createConnection, type Socket } from 'node:net';
import type { RunningApp } from './app-process.js';
import type { ThrowawayMemcached } from './servers.js';

/** Client commands Redis received, by name (lower case), from `MONITOR`. */
export interface RedisCommandLog {
  /** Stops watching and returns the counts. */
  stop(): Record<string, number>;
}

// A MONITOR line: `+1700000000.123456 [0 127.0.0.1:50000] "evalsha" "…" …`. Commands a script
// runs show `[0 lua]` instead of a client address: those are not round trips.
const MONITOR_LINE = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/;

/** Starts `MONITOR` on the Redis at `port`, resolving once Redis has acknowledged it. */
export async function watchRedis(port: number): Promise<RedisCommandLog> {
  const counts: Record<string, number> = {};
  const socket: Socket = createConnection({ host: '127.0.0.1', port });
  let buffer = '';
  let acknowledged: () => void;
  const ready = new Promise<void>((resolve) => (acknowledged = resolve));
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\r\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '+OK') acknowledged();
      const match = MONITOR_LINE.exec(line);
      if (match === null || match[1] === 'lua') continue;
      const command = match[2].toLowerCase();
      counts[command] = (counts[command] ?? 0) + 1;
    }
  });
  socket.once('connect', () => socket.write('MONITOR\r\n'));
  await ready;
  return {
    stop: () => {
      socket.destroy();
      return counts;
    },
  };
}

/**
 * The Memcached `stats` counters that count operations: `add`, `set` and `cas` all land in
 * `cmd_set`; `incr` is its hits plus its misses, and so on.
 */
const MEMCACHED_OPERATIONS = [
  'cmd_get',
  'cmd_set',
  'cmd_touch',
  'incr_hits',
  'incr_misses',
  'decr_hits',
  'decr_misses',
  'delete_hits',
  'delete_misses',
];

/** Operations Memcached served while `work` ran, by counter (`incr` = hits + misses). */
export async function memcachedOperations(
  memcached: ThrowawayMemcached,
  work: () => Promise<void>,
): Promise<Record<string, number>> {
  const before = await memcached.stats();
  await work();
  const after = await memcached.stats();
  const deltas: Record<string, number> = {};
  for (const name of MEMCACHED_OPERATIONS) {
    const delta = (after[name] ?? 0) - (before[name] ?? 0);
    if (delta === 0) continue;
    const key = name.replace(/_(hits|misses)$/, '');
    deltas[key] = (deltas[key] ?? 0) + delta;
  }
  return deltas;
}

/** Database queries the app made while `work` ran, by their first words. */
export async function databaseQueries(
  app: RunningApp,
  work: () => Promise<void>,
): Promise<Record<string, number>> {
  const before = (await app.stats()).queries;
  await work();
  const after = (await app.stats()).queries;
  const deltas: Record<string, number> = {};
  for (const [query, count] of Object.entries(after)) {
    const delta = count - (before[query] ?? 0);
    if (delta > 0) deltas[query] = delta;
  }
  return deltas;
}
