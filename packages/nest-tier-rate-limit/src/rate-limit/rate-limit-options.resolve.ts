import { countingProblem, RATE_LIMIT_ALGORITHMS } from './algorithms/rate-limit-algorithm.js';
import { systemClock } from './clock.js';
import { defaultCallerResolver } from './rate-limit-caller.js';
import { FallbackRateLimitRuleResolver } from './rate-limit-rule.js';
import type {
  RateLimitFailureMode,
  RateLimitHeaderMode,
  RateLimitModuleOptions,
  ResolvedRateLimitOptions,
} from './rate-limit-options.js';

/** Injection token of the options with their defaults applied. */
export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

const FAILURE_MODES: readonly RateLimitFailureMode[] = ['open', 'closed', 'local'];
const HEADER_MODES: readonly RateLimitHeaderMode[] = ['legacy', 'ietf', 'both', 'none'];

const positiveIntegers = ['defaultLimit', 'defaultPeriod', 'timeoutMs'] as const;

/**
 * Applies the defaults and rejects values that cannot work, at start-up rather than per request.
 * @throws Error naming the first invalid option
 */
export function resolveRateLimitOptions(options: RateLimitModuleOptions): ResolvedRateLimitOptions {
  const resolved: ResolvedRateLimitOptions = {
    enabled: options.enabled ?? true,
    store: options.store ?? 'memory',
    failureMode: options.failureMode ?? (options.failOpen === false ? 'closed' : 'open'),
    circuitBreaker: {
      failureThreshold: options.circuitBreaker?.failureThreshold ?? 5,
      cooldownMs: options.circuitBreaker?.cooldownMs ?? 1000,
    },
    clock: options.clock ?? systemClock,
    timeoutMs: options.timeoutMs ?? 250,
    defaultLimit: options.defaultLimit ?? 100,
    defaultPeriod: options.defaultPeriod ?? 60,
    defaultAlgorithm: options.defaultAlgorithm ?? 'fixed-window',
    defaultTotalLimit: options.defaultTotalLimit,
    defaultTotalPeriod: options.defaultTotalPeriod,
    trustProxy: options.trustProxy ?? false,
    ipv6Subnet: options.ipv6Subnet ?? 64,
    callerResolver: options.callerResolver ?? defaultCallerResolver,
    contextResolver: options.contextResolver,
    ruleResolver: options.ruleResolver ?? new FallbackRateLimitRuleResolver(),
    keyPrefix: options.keyPrefix ?? 'ratelimit',
    headers: options.headers ?? 'legacy',
    problemDetails: options.problemDetails ?? false,
    shadow: options.shadow ?? false,
    metricsRegistry: options.metricsRegistry,
    localDenyCache: options.localDenyCache,
    memory: options.memory,
    redis: options.redis,
    memcached: options.memcached,
  };
  for (const name of positiveIntegers) {
    if (!Number.isSafeInteger(resolved[name]) || resolved[name] <= 0) {
      throw new Error(`RateLimitModule option ${name} must be a positive integer`);
    }
  }
  const { defaultTotalLimit, defaultTotalPeriod } = resolved;
  if ((defaultTotalLimit === undefined) !== (defaultTotalPeriod === undefined)) {
    throw new Error(
      'RateLimitModule options defaultTotalLimit and defaultTotalPeriod go together: set both or neither',
    );
  }
  for (const name of ['defaultTotalLimit', 'defaultTotalPeriod'] as const) {
    const value = resolved[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0))
      throw new Error(`RateLimitModule option ${name} must be a positive integer`);
  }
  if (/[{}]/.test(resolved.keyPrefix)) {
    // The caller's part of every key is a Redis hash tag; a brace in the prefix would move it.
    throw new Error('RateLimitModule option keyPrefix must not contain { or }');
  }
  if (countingProblem(resolved.defaultAlgorithm, undefined) !== undefined) {
    throw new Error(
      `RateLimitModule option defaultAlgorithm must be one of ${RATE_LIMIT_ALGORITHMS.join(', ')}`,
    );
  }
  if (!HEADER_MODES.includes(resolved.headers)) {
    throw new Error(`RateLimitModule option headers must be one of ${HEADER_MODES.join(', ')}`);
  }
  const denyCache = resolved.localDenyCache;
  if (
    denyCache !== undefined &&
    typeof denyCache !== 'boolean' &&
    (typeof denyCache !== 'object' || denyCache === null)
  )
    throw new Error('RateLimitModule option localDenyCache must be true, false or { maxKeys }');
  if (resolved.contextResolver !== undefined && typeof resolved.contextResolver !== 'function')
    throw new Error('RateLimitModule option contextResolver must be a function');
  for (const name of ['problemDetails', 'shadow'] as const) {
    if (typeof resolved[name] !== 'boolean')
      throw new Error(`RateLimitModule option ${name} must be true or false`);
  }
  if (!FAILURE_MODES.includes(resolved.failureMode)) {
    throw new Error(
      `RateLimitModule option failureMode must be one of ${FAILURE_MODES.join(', ')}`,
    );
  }
  const { failureThreshold, cooldownMs } = resolved.circuitBreaker;
  if (!Number.isSafeInteger(failureThreshold) || failureThreshold < 0) {
    throw new Error(
      'RateLimitModule option circuitBreaker.failureThreshold must be an integer ≥ 0',
    );
  }
  if (!Number.isSafeInteger(cooldownMs) || cooldownMs <= 0) {
    throw new Error('RateLimitModule option circuitBreaker.cooldownMs must be a positive integer');
  }
  if (
    !Number.isInteger(resolved.ipv6Subnet) ||
    resolved.ipv6Subnet < 1 ||
    resolved.ipv6Subnet > 128
  ) {
    throw new Error('RateLimitModule option ipv6Subnet must be an integer from 1 to 128');
  }
  return resolved;
}
