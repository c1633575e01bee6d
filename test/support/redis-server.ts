import { tmpdir } from 'node:os';
import { exchange, startThrowawayServer, type ThrowawayServer } from './throwaway-server.js';

/**
 * A throwaway `redis-server` of its own on a loopback port, with no persistence, for tests that
 * kill, restart or freeze Redis. Never the shared server on 6379. A fresh start has empty data
 * and an empty script cache.
 */
export interface ThrowawayRedis extends ThrowawayServer {
  /** `redis://127.0.0.1:{port}` (database 0). */
  readonly url: string;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** @default '/usr/bin/redis-server' */
  binary?: string;
  /** Longest wait for the server to answer PING after each start. @default 10000 */
  readyTimeoutMs?: number;
}

/** Starts a {@link ThrowawayRedis} on a free loopback port, resolving once it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<ThrowawayRedis> {
  const server = await startThrowawayServer({
    name: 'redis-server',
    binary: options.binary ?? '/usr/bin/redis-server',
    readyTimeoutMs: options.readyTimeoutMs,
    args: (port) => [
      ...['--port', String(port), '--bind', '127.0.0.1'],
      ...['--save', '', '--appendonly', 'no', '--dir', tmpdir()],
    ],
    // `+PONG` once ready; `-LOADING ...` and the like until then.
    ready: async (port) => (await exchange(port, 'PING', '\r\n')).startsWith('+PONG'),
  });
  return Object.assign(server, { url: `redis://127.0.0.1:${server.port}` });
}
