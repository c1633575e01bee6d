import { applyDecorators, SetMetadata, UseGuards, UseInterceptors } from '@nestjs/common';
import { countingProblem } from './algorithms/rate-limit-algorithm.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import { RATE_LIMIT_MODES, type RateLimitMode } from './rate-limit-rule.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import {
  type RateLimitCountMode,
  RATE_LIMITED_METADATA,
  type RateLimitedMetadata,
  type RateLimitedOptions,
  type RateLimitedSettlement,
  type RateLimitedWindow,
  SKIP_RATE_LIMIT_METADATA,
} from './rate-limited.metadata.js';

const WINDOW_OPTIONS: readonly string[] = [
  'limit',
  'period',
  'algorithm',
  'burst',
  'mode',
] satisfies (keyof RateLimitedWindow)[];
const SETTLEMENT_OPTIONS: readonly string[] = [
  'count',
  'cost',
] satisfies (keyof RateLimitedSettlement)[];
const COUNT_MODES: readonly RateLimitCountMode[] = ['all', 'failed', 'successful'];

/**
 * Enforces rate limiting on a controller or route, optionally with its own limits (the method's
 * win over the class's). Implies `@UseGuards(RateLimitGuard)`, and `RateLimitInterceptor` when
 * only some answers count. A bad option (`limit: 0`, an unknown name, two windows of one period)
 * stops the app as its class loads, naming the route.
 * @param limits one limit, or several decided together (a burst and a sustained one)
 * @param settlement with several limits: what a request costs and which answers count
 * @example
 * ```ts
 * @RateLimited({ limit: 10, period: 60 })
 * @RateLimited([{ limit: 10, period: 1 }, { limit: 1000, period: 3600 }])
 * @RateLimited({ limit: 5, period: 300, count: 'failed' }) // login: only failures use quota
 * @RateLimited([{ limit: 100, period: 60 }], { cost: 10 }) // a bulk endpoint
 * @RateLimited({ limit: 50, period: 60, mode: 'shadow' }) // see whom it would refuse first
 * ```
 */
export function RateLimited(
  limits: RateLimitedOptions | readonly RateLimitedWindow[] = {},
  settlement: RateLimitedSettlement = {},
): ClassDecorator & MethodDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const metadata = rateLimitedMetadata(limits, settlement, routeName(target, key));
    const decorators = [SetMetadata(RATE_LIMITED_METADATA, metadata), UseGuards(RateLimitGuard)];
    if (metadata.count !== 'all') decorators.push(UseInterceptors(RateLimitInterceptor));
    applyDecorators(...decorators)(
      target,
      key as string | symbol,
      descriptor as PropertyDescriptor,
    );
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

/** The validated metadata of `@RateLimited(limits, settlement)` on `route`. */
function rateLimitedMetadata(
  limits: RateLimitedOptions | readonly RateLimitedWindow[],
  settlement: RateLimitedSettlement,
  route: string,
): RateLimitedMetadata {
  const fail = (problem: string) => {
    throw new Error(`@RateLimited on ${route}: ${problem}`);
  };
  const several = Array.isArray(limits);
  const windows: readonly RateLimitedWindow[] = several ? limits : [limits];
  if (windows.length === 0) fail('give at least one limit');
  const own = several ? settlement : { ...(limits as RateLimitedOptions), ...settlement };
  const periods = new Set<number | undefined>();
  for (const window of windows) {
    const known = several ? WINDOW_OPTIONS : [...WINDOW_OPTIONS, ...SETTLEMENT_OPTIONS];
    const problem = windowProblem(window, known);
    if (problem !== undefined) fail(problem);
    if (periods.has(window.period))
      fail(`two limits with the same period (${String(window.period ?? 'the default')})`);
    periods.add(window.period);
  }
  for (const name of Object.keys(settlement))
    if (!SETTLEMENT_OPTIONS.includes(name))
      fail(`unknown option ${name} (known: ${SETTLEMENT_OPTIONS.join(', ')})`);
  const { count = 'all', cost = 1 } = own;
  if (!COUNT_MODES.includes(count))
    fail(`count must be one of ${COUNT_MODES.join(', ')}, got ${JSON.stringify(count)}`);
  if (!Number.isSafeInteger(cost) || cost <= 0)
    fail(`cost must be a positive integer, got ${String(cost)}`);
  // Only the windows' own fields: count and cost live beside them.
  const bare = windows.map(({ limit, period, algorithm, burst, mode }) => ({
    limit,
    period,
    algorithm,
    burst,
    mode,
  }));
  return { windows: bare, count, cost };
}

function windowProblem(window: RateLimitedWindow, known: readonly string[]): string | undefined {
  for (const [name, value] of Object.entries(window)) {
    if (!known.includes(name)) return `unknown option ${name} (known: ${known.join(', ')})`;
    if (name === 'mode') {
      if (value !== undefined && !RATE_LIMIT_MODES.includes(value as RateLimitMode))
        return `mode must be one of ${RATE_LIMIT_MODES.join(', ')}, got ${JSON.stringify(value)}`;
      continue;
    }
    if (!WINDOW_OPTIONS.includes(name) || name === 'algorithm') continue;
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) <= 0)) {
      return `${name} must be a positive integer, got ${String(value)}`;
    }
  }
  return countingProblem(window.algorithm, window.burst);
}

/** `WidgetsController.create` for a method, `WidgetsController` for a class. */
function routeName(target: object, key: string | symbol | undefined): string {
  const owner = typeof target === 'function' ? target : target.constructor;
  return key === undefined ? owner.name : `${owner.name}.${String(key)}`;
}
