import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import { CALLER_HEADER } from '../scenarios.js';
import { header } from './caller.js';
import type { VariantFactory } from './variant.js';

/**
 * `ThrottlerGuard` keyed on the caller header, as its docs suggest for identified callers. Its
 * key is a SHA-256 of class, handler, throttler name and tracker: one route, so header plus path.
 */
@Injectable()
class HeaderThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(header(request, CALLER_HEADER) ?? 'anonymous');
  }
}

/** `@nestjs/throttler` with its default in-memory storage or the nest-lab Redis storage. */
export function throttler(storage: 'memory' | 'redis'): VariantFactory {
  return ({ scenario, redisPort }) => {
    const redisStorage = (): ThrottlerStorage =>
      new ThrottlerStorageRedisService(new Redis({ host: '127.0.0.1', port: redisPort }));
    return {
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: scenario.periodSeconds * 1000, limit: scenario.limit }],
          ...(storage === 'redis' && { storage: redisStorage() }),
        }),
      ],
      guard: HeaderThrottlerGuard,
    };
  };
}
