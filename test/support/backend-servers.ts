import type { RateLimitModuleOptions } from 'nest-tier-rate-limit';
import { startMemcachedServer } from './memcached-server.js';
import { startRedisServer } from './redis-server.js';
import type { ThrowawayServer } from './throwaway-server.js';

/** A throwaway Redis or Memcached server, and the limiter options that point at it. */
export interface BackendServer extends ThrowawayServer {
  /** Limiter options using this server with the given store timeout. */
  options(timeoutMs: number): RateLimitModuleOptions;
}

/** The shared backends, by name, each started on a free loopback port of its own. */
export const backendServers: [name: 'redis' | 'memcached', start: () => Promise<BackendServer>][] =
  [
    [
      'redis',
      async () => {
        const server = await startRedisServer();
        return Object.assign(server, {
          options: (timeoutMs: number): RateLimitModuleOptions => ({
            store: 'redis',
            timeoutMs,
            redis: { url: server.url },
          }),
        });
      },
    ],
    [
      'memcached',
      async () => {
        const server = await startMemcachedServer();
        return Object.assign(server, {
          options: (timeoutMs: number): RateLimitModuleOptions => ({
            store: 'memcached',
            timeoutMs,
            memcached: { host: '127.0.0.1', port: server.port },
          }),
        });
      },
    ],
  ];
