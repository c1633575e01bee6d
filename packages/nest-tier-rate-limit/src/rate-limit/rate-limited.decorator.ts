import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { countingProblem } from './algorithms/rate-limit-algorithm.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import {
  RATE_LIMITED_METADATA,
  type RateLimitedOptions,
  SKIP_RATE_LIMIT_METADATA,
} from './rate-limited.metadata.js';

const OPTION_NAMES: readonly string[] = [
  'limit',
  'period',
  'algorithm',
  'burst',
] satisfies (keyof RateLimitedOptions)[];

/**
 * Enforces rate limiting on a controller or route, optionally with its own default limit and
 * period (the method's values win over the class's). Implies `@UseGuards(RateLimitGuard)`.
 * A bad option (`limit: 0`, an unknown name) stops the app as its class loads, naming the route.
 * @example
 * ```ts
 * @RateLimited({ limit: 10, period: 60 })
 * @Post()
 * create() {}
 * ```
 */
export function RateLimited(options: RateLimitedOptions = {}): ClassDecorator & MethodDecorator {
  const decorate = applyDecorators(
    SetMetadata(RATE_LIMITED_METADATA, options),
    UseGuards(RateLimitGuard),
  );
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const problem = optionsProblem(options);
    if (problem !== undefined)
      throw new Error(`@RateLimited on ${routeName(target, key)}: ${problem}`);
    decorate(target, key as string | symbol, descriptor as PropertyDescriptor);
  };
}

/**
 * Exempts a controller or route from rate limiting, for the global guard (`globalGuard: true`)
 * or a class-level guard: no counting, no headers. A method's `@RateLimited` wins over its
 * class's `@SkipRateLimit`, and a method's `@SkipRateLimit` over its class's `@RateLimited`.
 * @example
 * ```ts
 * @SkipRateLimit()
 * @Get('health')
 * health() {}
 * ```
 */
export function SkipRateLimit(): ClassDecorator & MethodDecorator {
  return SetMetadata(SKIP_RATE_LIMIT_METADATA, true);
}

function optionsProblem(options: RateLimitedOptions): string | undefined {
  for (const [name, value] of Object.entries(options)) {
    if (!OPTION_NAMES.includes(name))
      return `unknown option ${name} (known: ${OPTION_NAMES.join(', ')})`;
    if (name === 'algorithm') continue;
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) <= 0)) {
      return `${name} must be a positive integer, got ${String(value)}`;
    }
  }
  return countingProblem(options.algorithm, options.burst);
}

/** `WidgetsController.create` for a method, `WidgetsController` for a class. */
function routeName(target: object, key: string | symbol | undefined): string {
  const owner = typeof target === 'function' ? target : target.constructor;
  return key === undefined ? owner.name : `${owner.name}.${String(key)}`;
}
