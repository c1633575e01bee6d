import type { ChildProcess } from 'node:child_process';
import { spawnTracked, stopChild } from './children.js';
import { exchange, freePort, sleep } from './net.js';

/** A throwaway server process of the runner's own, on a free loopback port. */
export interface ThrowawayServer {
  readonly port: number;
  /** Empties it (`FLUSHALL` / `flush_all`). */
  flush(): Promise<void>;
  /** Kills it (SIGKILL) and waits until it is gone. */
  close(): Promise<void>;
}

/** A throwaway Memcached, which also reports its counters. */
export interface ThrowawayMemcached extends ThrowawayServer {
  /** Its numeric `stats` counters (`cmd_get`, `incr_hits`…). */
  stats(): Promise<Record<string, number>>;
}

/** The runner's two throwaway servers. */
export interface BenchServers {
  redis: ThrowawayServer;
  memcached: ThrowawayMemcached;
}

/** Starts `redis-server` without persistence on a free loopback port (never the shared 6379). */
export async function startRedis(binary = '/usr/bin/redis-server'): Promise<ThrowawayServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = await launch(binary, args, async () =>
    (await exchange(port, 'PING', '\r\n')).startsWith('+PONG'),
  );
  return {
    port,
    flush: async () => expectReply(await exchange(port, 'FLUSHALL', '\r\n'), '+OK'),
    close: () => kill(child),
  };
}

/** Starts `memcached` on a free loopback port (never the shared 11211), TCP only. */
export async function startMemcached(binary = '/usr/bin/memcached'): Promise<ThrowawayMemcached> {
  const port = await freePort();
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const args = [...user, '-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '64'];
  const child = await launch(binary, args, async () =>
    (await exchange(port, 'version', '\r\n')).startsWith('VERSION'),
  );
  return {
    port,
    flush: async () => expectReply(await exchange(port, 'flush_all', '\r\n'), 'OK'),
    stats: async () => {
      const lines = (await exchange(port, 'stats', 'END\r\n')).split('\r\n');
      const pairs = lines.map((line) => line.split(' ')).filter(([tag]) => tag === 'STAT');
      return Object.fromEntries(pairs.map(([, name, value]) => [name, Number(value)]));
    },
    close: () => kill(child),
  };
}

async function launch(binary: string, args: string[], ready: () => Promise<boolean>) {
  const child = spawnTracked(binary, args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${binary} exited with ${child.exitCode}`);
    if (await ready().catch(() => false)) return child;
    await sleep(25);
  }
  await kill(child);
  throw new Error(`${binary} did not answer within 10 s`);
}

function kill(child: ChildProcess): Promise<void> {
  return stopChild(child, 'SIGKILL');
}

function expectReply(reply: string, expected: string): void {
  if (!reply.startsWith(expected)) throw new Error(`Unexpected reply: ${reply.trim()}`);
}
