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

function limiter(backend: Backend, context: VariantContext): RateLimiterAbstract {
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
export function rlf(backend: Backend): VariantFactory {
  return (context) => ({
    providers: [{ provide: RLF_LIMITER, useFactory: () => limiter(backend, context) }],
    guard: RlfGuard,
  });
}
