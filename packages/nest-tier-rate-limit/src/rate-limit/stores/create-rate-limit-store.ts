import type { ResolvedRateLimitOptions } from '../rate-limit-options.js';
import { MemcachedRateLimitStore } from './memcached-rate-limit.store.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

/** The store the options ask for: a given instance as is, or a built-in backend by name. */
export function createRateLimitStore(options: ResolvedRateLimitOptions): RateLimitStore {
  const { store, timeoutMs } = options;
  if (typeof store !== 'string') return store;
  switch (store) {
    case 'memory':
      return new MemoryRateLimitStore(options.memory);
    case 'redis':
      return new RedisRateLimitStore({ timeoutMs, ...options.redis });
    case 'memcached':
      return new MemcachedRateLimitStore({ timeoutMs, ...options.memcached });
    default:
      throw new Error(
        `RateLimitModule option store must be memory, redis or memcached, got ${String(store)}`,
      );
  }
}
