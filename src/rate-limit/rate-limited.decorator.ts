import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RATE_LIMITED_METADATA, type RateLimitedOptions } from './rate-limited.metadata.js';

/**
 * Enforces rate limiting on a controller or route, optionally with its own default limit and
 * period (the method's values win over the class's). Implies `@UseGuards(RateLimitGuard)`.
 * @example
 * ```ts
 * @RateLimited({ limit: 10, period: 60 })
 * @Post()
 * create() {}
 * ```
 */
export function RateLimited(options: RateLimitedOptions = {}): ClassDecorator & MethodDecorator {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) <= 0)) {
      throw new Error(`@RateLimited ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return applyDecorators(SetMetadata(RATE_LIMITED_METADATA, options), UseGuards(RateLimitGuard));
}
