import { exchange, startThrowawayServer, type ThrowawayServer } from './throwaway-server.js';

/**
 * A throwaway `memcached` of its own on a loopback port, for tests that kill, restart or freeze
 * Memcached. Never the shared server on 11211. A fresh start is empty.
 */
export interface ThrowawayMemcached extends ThrowawayServer {
  /** `127.0.0.1:{port}`, as memcached clients take it. */
  readonly location: string;
  /** Its numeric `stats` counters (`cmd_get`, `incr_hits`...), read over a connection of its own. */
  stats(): Promise<Record<string, number>>;
}

/** Options of {@link startMemcachedServer}. */
export interface MemcachedServerOptions {
  /** @default '/usr/bin/memcached' */
  binary?: string;
  /** Longest wait for the server to answer `version` after each start. @default 10000 */
  readyTimeoutMs?: number;
}

/** Starts a {@link ThrowawayMemcached} on a free loopback port, resolving once it answers. */
export async function startMemcachedServer(
  options: MemcachedServerOptions = {},
): Promise<ThrowawayMemcached> {
  const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
  const server = await startThrowawayServer({
    name: 'memcached',
    binary: options.binary ?? '/usr/bin/memcached',
    readyTimeoutMs: options.readyTimeoutMs,
    args: (port) => [...user, '-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16'],
    ready: async (port) => (await exchange(port, 'version', '\r\n')).startsWith('VERSION'),
  });
  return Object.assign(server, {
    location: `127.0.0.1:${server.port}`,
    stats: async () => {
      const lines = (await exchange(server.port, 'stats', 'END\r\n')).split('\r\n');
      const stats = lines.map((line) => line.split(' ')).filter(([tag]) => tag === 'STAT');
      const numeric = stats.map(([, name, value]) => [name, Number(value)] as const);
      return Object.fromEntries(numeric.filter(([, value]) => Number.isFinite(value)));
    },
  });
}
