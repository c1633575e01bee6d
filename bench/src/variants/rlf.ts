import { Redis } from 'ioredis';
import Memcached from 'memcached';
import {
  type RateLimiterAbstract,
  RateLimiterMemcache,
  RateLimiterMemory,
  RateLimiterRedis,
} from 'rate-limiter-flexible';
import { RLF_LIMITER, RlfGuard } from './rlf.guard.js';
import type { VariantContext, VariantFactory } from './variant.js';

type Backend = 'memory' | 'redis' | 'memcached';

interface RlfOptions {
  /** ioredis auto-pipelining, off by default in ioredis and in rate-limiter-flexible's docs. */
  readonly autoPipelining?: boolean;
}

function limiter(
  backend: Backend,
  context: VariantContext,
  options: RlfOptions,
): RateLimiterAbstract {
  const points = context.scenario.limit;
  const duration = context.scenario.periodSeconds;
  switch (backend) {
    case 'memory':
      return new RateLimiterMemory({ points, duration });
    case 'redis': {
      // The client its docs recommend: no offline queue, so an outage fails fast.
      const redis = new Redis({
        host: '127.0.0.1',
        port: context.redisPort,
        enableOfflineQueue: false,
        enableAutoPipelining: options.autoPipelining ?? false,
      });
      return new RateLimiterRedis({ storeClient: redis, points, duration });
    }
    case 'memcached': {
      const memcached = new Memcached(`127.0.0.1:${context.memcachedPort}`);
      return new RateLimiterMemcache({ storeClient: memcached, points, duration });
    }
  }
}

/** `rate-limiter-flexible` on one backend, behind {@link RlfGuard}. */
export function rlf(backend: Backend, options: RlfOptions = {}): VariantFactory {
  return (context) => ({
    providers: [{ provide: RLF_LIMITER, useFactory: () => limiter(backend, context, options) }],
    guard: RlfGuard,
  });
}
