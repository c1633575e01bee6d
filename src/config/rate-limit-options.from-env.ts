import type { RateLimitModuleOptions } from 'nest-tier-rate-limit';
import type { AppEnv } from './env.validation.js';

/** The limiter's options as the demo app's environment sets them. */
export function rateLimitOptionsFromEnv(env: AppEnv): RateLimitModuleOptions {
  return {
    enabled: env.rateLimiterEnabled,
    store: env.rateLimiterBackend,
    failOpen: env.rateLimiterFailOpen,
    failureMode: env.rateLimiterFailureMode,
    circuitBreaker: {
      failureThreshold: env.rateLimiterBreakerThreshold,
      cooldownMs: env.rateLimiterBreakerCooldownMs,
    },
    timeoutMs: env.rateLimiterStoreTimeoutMs,
    defaultLimit: env.defaultRateLimitLimit,
    defaultPeriod: env.defaultRateLimitPeriod,
    defaultAlgorithm: env.defaultRateLimitAlgorithm,
    defaultTotalLimit: env.defaultRateLimitTotalLimit,
    defaultTotalPeriod: env.defaultRateLimitTotalPeriod,
    trustProxy: env.trustProxy,
    ipv6Subnet: env.rateLimiterIpv6Subnet,
    headers: env.rateLimiterHeaders,
    problemDetails: env.rateLimiterProblemDetails,
    shadow: env.rateLimiterShadow,
    localDenyCache: env.rateLimiterLocalDenyCache,
    memory: { maxKeys: env.rateLimiterMemoryMaxKeys },
    redis: {
      url: env.rateLimiterRedisUrl,
      cluster:
        env.rateLimiterRedisClusterNodes === undefined
          ? undefined
          : { nodes: env.rateLimiterRedisClusterNodes },
      sentinels: env.rateLimiterRedisSentinels,
      sentinelName: env.rateLimiterRedisSentinelName,
      sentinelPassword: env.rateLimiterRedisSentinelPassword,
      host: env.rateLimiterRedisHost,
      port: env.rateLimiterRedisPort,
      db: env.rateLimiterRedisDb,
      password: env.rateLimiterRedisPassword,
      connectTimeoutMs: env.rateLimiterRedisConnectTimeout * 1000,
      poolSize: env.rateLimiterRedisPoolSize,
    },
    memcached: {
      host: env.rateLimiterMemcachedHost,
      port: env.rateLimiterMemcachedPort,
      poolSize: env.rateLimiterMemcachedPoolSize,
    },
  };
}
