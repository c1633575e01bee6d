import type { RateLimitAlgorithm } from './algorithms/rate-limit-algorithm.js';
import type { RedisRateLimitStoreOptions } from './stores/redis-rate-limit.store.js';
import type { MemcachedRateLimitStoreOptions } from './stores/memcached-rate-limit.store.js';
import type { MemoryRateLimitStoreOptions } from './stores/memory-rate-limit.store.js';
import type { RateLimitStore } from './stores/rate-limit-store.js';
import type { RateLimitCallerResolver } from './rate-limit-caller.js';
import type { RateLimitContextResolver } from './contexts/rate-limit-context-target.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { TrustProxy } from './client-ip.js';
import type { Clock } from './clock.js';
import type { RateLimitRuleResolver } from './rate-limit-rule.js';
import type { Registry } from 'prom-client';
import type { LocalDenyCacheOptions } from './local-deny-cache.js';

/**
 * What the limiter does while its backend fails: `open` lets requests through, `closed` answers
 * 429 "Access denied as a precaution", `local` keeps limiting in this process's memory.
 */
export type RateLimitFailureMode = 'open' | 'closed' | 'local';

/**
 * Which rate-limit headers responses carry: `legacy` (`X-RateLimit-Limit`, `-Remaining`,
 * `-Reset`), `ietf` (`RateLimit-Policy` and `RateLimit`, draft-ietf-httpapi-ratelimit-headers-10),
 * `both`, or `none`. Every 429 carries `Retry-After` whatever the choice.
 */
export type RateLimitHeaderMode = 'legacy' | 'ietf' | 'both' | 'none';

/** The counter backends built in. */
export type RateLimitBackend = 'memory' | 'redis' | 'memcached';

/** Options of `RateLimitModule.forRoot()` / `forRootAsync()`. */
export interface RateLimitModuleOptions {
  /**
   * Master switch: `false` makes the guard a no-op (no counting, no headers).
   * @default true
   */
  enabled?: boolean;
  /**
   * Where counters live: a built-in backend name, or your own {@link RateLimitStore} instance.
   * @default 'memory'
   */
  store?: RateLimitBackend | RateLimitStore;
  /** Options of the memory store. */
  memory?: MemoryRateLimitStoreOptions;
  /** Options of the Redis store (used when `store` is `'redis'`). */
  redis?: RedisRateLimitStoreOptions;
  /** Options of the Memcached store (used when `store` is `'memcached'`). */
  memcached?: MemcachedRateLimitStoreOptions;
  /**
   * On a backend error or timeout: `true` lets the request through (and logs), `false` answers
   * 429 "Access denied as a precaution".
   * @default true
   */
  failOpen?: boolean;
  /**
   * On a backend error, timeout or open circuit: `open` lets requests through, `closed` answers
   * 429 "Access denied as a precaution", `local` counts in this process's memory (each instance
   * enforces the full limit on its own) until the backend answers again. Wins over `failOpen`.
   * @default `failOpen === false ? 'closed' : 'open'`
   */
  failureMode?: RateLimitFailureMode;
  /**
   * Stops calling a backend that keeps failing: after `failureThreshold` consecutive failures,
   * checks skip it for `cooldownMs`, then one check probes it.
   * @default `{ failureThreshold: 5, cooldownMs: 1000 }`
   */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Time source of the circuit breaker and of `local` mode's counters, replaced in tests.
   * @default the wall clock
   */
  clock?: Clock;
  /**
   * Longest wait for the backend on one check, in milliseconds, before the failure policy applies.
   * @default 250
   */
  timeoutMs?: number;
  /**
   * Requests per period when neither a rule nor `@RateLimited` sets one.
   * @default 100
   */
  defaultLimit?: number;
  /**
   * Period in seconds when neither a rule nor `@RateLimited` sets one.
   * @default 60
   */
  defaultPeriod?: number;
  /**
   * How requests are counted when neither a rule nor `@RateLimited` says (`fixed-window`,
   * `sliding-window` or `gcra`; see the README).
   * @default 'fixed-window'
   */
  defaultAlgorithm?: RateLimitAlgorithm;
  /**
   * A caller's total budget across every guarded route, for callers whose rules set none (a
   * tier's rule with path `*` sets one): requests per `defaultTotalPeriod`, counted on
   * `ratelimit:{caller}:*` with `defaultAlgorithm`, decided together with the route's own limits.
   * @default unset: no total budget
   */
  defaultTotalLimit?: number;
  /**
   * Period in seconds of `defaultTotalLimit`; set both or neither.
   * @default unset
   */
  defaultTotalPeriod?: number;
  /**
   * Proxies trusted to report the client IP in `X-Forwarded-For` (Express `trust proxy` semantics).
   * @default false
   */
  trustProxy?: TrustProxy;
  /**
   * Anonymous IPv6 callers are grouped by this prefix length.
   * @default 64
   */
  ipv6Subnet?: number;
  /**
   * Reads the caller from the request.
   * @default reads `request.user` (`id`/`sub`, `tierId`/`tier_id`, `isSuperuser`/`is_superuser`)
   */
  callerResolver?: RateLimitCallerResolver;
  /**
   * Reads the caller, counter path and refusal of calls that are not HTTP, GraphQL or WebSocket
   * (microservice messages, custom transports); its answer for a GraphQL or WebSocket call
   * replaces the guard's own reading. Unset, such calls pass unguarded, with a debug log line.
   * @default unset
   */
  contextResolver?: RateLimitContextResolver;
  /**
   * Chooses the limit for each request (tier rules, for example). Answers from memory.
   * @default the route's `@RateLimited` values, else `defaultLimit`/`defaultPeriod`
   */
  ruleResolver?: RateLimitRuleResolver;
  /**
   * First segment of every counter key.
   * @default 'ratelimit'
   */
  keyPrefix?: string;
  /**
   * Which rate-limit headers to write (see {@link RateLimitHeaderMode}).
   * @default 'legacy'
   */
  headers?: RateLimitHeaderMode;
  /**
   * `true` answers 429 as `application/problem+json` (RFC 9457): the draft's `quota-exceeded`
   * problem type with the violated policies, or, failing closed, a type of its own.
   * @default false
   */
  problemDetails?: boolean;
  /**
   * The `prom-client` registry the limiter's metrics are registered in (prom-client's global
   * `register`, say); one module per registry, as metric names are unique in one.
   * @default a registry of its own: `RateLimitMetrics.registry`
   */
  metricsRegistry?: Registry;
  /**
   * `true` puts every limit in shadow mode: counted and reported, never refused (a rule's own
   * `mode` does this for one rule).
   * @default false
   */
  shadow?: boolean;
  /**
   * Remembers in this process the keys the store refused, until the time it said a request could
   * pass: while a caller floods a limit, its refused requests cost the store nothing. Never lets
   * through what the store would refuse; a changed rule, a refund or a reset here applies at once
   * (a refund or reset made by another instance, once the remembered time is over). `true`, `false`
   * or options (`{ maxKeys }`, default 10,000 keys). It counts real time (`performance.now()`):
   * turn it off for a store whose waits follow another clock (a test's).
   * @default `true` for the built-in Redis and Memcached stores, `false` for any other
   */
  localDenyCache?: boolean | LocalDenyCacheOptions;
}

/** Options with every default applied, as the module's providers see them. */
export type ResolvedRateLimitOptions = Required<
  Omit<
    RateLimitModuleOptions,
    | 'memory'
    | 'redis'
    | 'memcached'
    | 'circuitBreaker'
    | 'failOpen'
    | 'defaultTotalLimit'
    | 'defaultTotalPeriod'
    | 'metricsRegistry'
    | 'localDenyCache'
    | 'contextResolver'
  >
> &
  Pick<
    RateLimitModuleOptions,
    | 'memory'
    | 'redis'
    | 'memcached'
    | 'defaultTotalLimit'
    | 'defaultTotalPeriod'
    | 'metricsRegistry'
    | 'localDenyCache'
    | 'contextResolver'
  > & {
    circuitBreaker: Required<CircuitBreakerOptions>;
  };
