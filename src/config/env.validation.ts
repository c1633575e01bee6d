import { plainToInstance } from 'class-transformer';
import {
  IsOptional,
  Matches,
  IsString,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { Bool, Env, Int, OneOf, PositiveNumber, SetTogetherWith, TrustProxy } from './parse.js';
import { HostPorts, NotSetWith, Url, variableName } from './parse.js';
import type { HostPort, TrustProxySetting } from './parse.js';
import { RATE_LIMIT_ALGORITHMS, type RateLimitAlgorithm } from 'nest-tier-rate-limit';

/** Accepted `NODE_ENV` values. */
export const NODE_ENVS = ['development', 'production', 'test'] as const;
/** Accepted `RATE_LIMITER_BACKEND` values. */
export const RATE_LIMITER_BACKENDS = ['memory', 'redis', 'memcached'] as const;

/** Accepted `RATE_LIMITER_HEADERS` values. */
export const RATE_LIMITER_HEADER_MODES = ['legacy', 'ietf', 'both', 'none'] as const;

/** Accepted `RATE_LIMITER_FAILURE_MODE` values. */
export const RATE_LIMITER_FAILURE_MODES = ['open', 'closed', 'local'] as const;

// class-validator's default message starts with the property name, already given by the variable.
const TEXT = { message: 'must be a string' };
// The demo admin's username too: a guesser who knows it has only the password left to find.
const SECRET_VARIABLES = new Set([
  'JWT_SECRET',
  'DEMO_ADMIN_USERNAME',
  'DEMO_ADMIN_PASSWORD',
  'METRICS_TOKEN',
  'RATE_LIMITER_REDIS_SENTINEL_PASSWORD',
]);

/** Every variable, camelCased; unset optional ones are absent. Defaults are the initializers. */
class EnvironmentVariables {
  /** `NODE_ENV`. */
  @Env('NODE_ENV') @OneOf(NODE_ENVS) nodeEnv: (typeof NODE_ENVS)[number] = 'development';
  /** `PORT`: demo API port. */
  @Env('PORT') @Int(1, 65535) port = 3000;
  /** `HOST`: address the demo API listens on (`127.0.0.1`: this machine only). */
  @Env('HOST') @IsString() host = '0.0.0.0';
  /** `RATE_LIMITER_ENABLED`: master switch. */
  @Env('RATE_LIMITER_ENABLED') @Bool() rateLimiterEnabled = true;
  /** `RATE_LIMITER_BACKEND`: where counters live. */
  @Env('RATE_LIMITER_BACKEND')
  @OneOf(RATE_LIMITER_BACKENDS)
  rateLimiterBackend: (typeof RATE_LIMITER_BACKENDS)[number] = 'memory';
  /** `RATE_LIMITER_FAIL_OPEN`: let requests through when the backend fails. */
  @Env('RATE_LIMITER_FAIL_OPEN') @Bool() rateLimiterFailOpen = true;
  /** `RATE_LIMITER_FAILURE_MODE`: `open`, `closed` or `local`; wins over `RATE_LIMITER_FAIL_OPEN`. */
  @Env('RATE_LIMITER_FAILURE_MODE')
  @IsOptional()
  @OneOf(RATE_LIMITER_FAILURE_MODES)
  rateLimiterFailureMode?: (typeof RATE_LIMITER_FAILURE_MODES)[number];
  /** `RATE_LIMITER_BREAKER_THRESHOLD`: consecutive backend failures that open the circuit (0: never). */
  @Env('RATE_LIMITER_BREAKER_THRESHOLD') @Int(0, 1_000_000) rateLimiterBreakerThreshold = 5;
  /** `RATE_LIMITER_BREAKER_COOLDOWN_MS`: how long an open circuit skips the backend. */
  @Env('RATE_LIMITER_BREAKER_COOLDOWN_MS') @Int(1, 3_600_000) rateLimiterBreakerCooldownMs = 1000;
  /** `DEFAULT_RATE_LIMIT_LIMIT`: requests per period without a rule. */
  @Env('DEFAULT_RATE_LIMIT_LIMIT') @Int(1) defaultRateLimitLimit = 100;
  /** `DEFAULT_RATE_LIMIT_PERIOD`: seconds. */
  @Env('DEFAULT_RATE_LIMIT_PERIOD') @Int(1) defaultRateLimitPeriod = 60;
  /** `DEFAULT_RATE_LIMIT_ALGORITHM`: `fixed-window`, `sliding-window` or `gcra`. */
  @Env('DEFAULT_RATE_LIMIT_ALGORITHM')
  @OneOf(RATE_LIMIT_ALGORITHMS)
  defaultRateLimitAlgorithm: RateLimitAlgorithm = 'fixed-window';
  /** `DEFAULT_RATE_LIMIT_TOTAL_LIMIT`: a caller's requests across all guarded routes. */
  @Env('DEFAULT_RATE_LIMIT_TOTAL_LIMIT')
  @SetTogetherWith('defaultRateLimitTotalPeriod')
  @Int(1)
  defaultRateLimitTotalLimit?: number;
  /** `DEFAULT_RATE_LIMIT_TOTAL_PERIOD`: seconds of that budget; set with the limit or not at all. */
  @Env('DEFAULT_RATE_LIMIT_TOTAL_PERIOD')
  @SetTogetherWith('defaultRateLimitTotalLimit')
  @Int(1)
  defaultRateLimitTotalPeriod?: number;
  /** `RATE_LIMITER_HEADERS`: `legacy`, `ietf`, `both` or `none`. */
  @Env('RATE_LIMITER_HEADERS')
  @OneOf(RATE_LIMITER_HEADER_MODES)
  rateLimiterHeaders: (typeof RATE_LIMITER_HEADER_MODES)[number] = 'legacy';
  /** `RATE_LIMITER_PROBLEM_DETAILS`: 429 as `application/problem+json`. */
  @Env('RATE_LIMITER_PROBLEM_DETAILS') @Bool() rateLimiterProblemDetails = false;
  /** `RATE_LIMITER_SHADOW`: every limit counts and reports, none refuses. */
  @Env('RATE_LIMITER_SHADOW') @Bool() rateLimiterShadow = false;
  /**
   * `RATE_LIMITER_LOCAL_DENY_CACHE`: refuse keys the store refused in process until their reset;
   * unset: on for Redis and Memcached, off for memory.
   */
  @Env('RATE_LIMITER_LOCAL_DENY_CACHE') @IsOptional() @Bool() rateLimiterLocalDenyCache?: boolean;
  /** `RATE_LIMITER_STORE_TIMEOUT_MS`: longest wait for the backend on one check. */
  @Env('RATE_LIMITER_STORE_TIMEOUT_MS') @Int(1, 60000) rateLimiterStoreTimeoutMs = 250;
  /** `RATE_LIMITER_MEMORY_MAX_KEYS`: bound of the memory store. */
  @Env('RATE_LIMITER_MEMORY_MAX_KEYS') @Int(1) rateLimiterMemoryMaxKeys = 100_000;
  /** `RATE_LIMITER_IPV6_SUBNET`: prefix length anonymous IPv6 callers are grouped by. */
  @Env('RATE_LIMITER_IPV6_SUBNET') @Int(1, 128) rateLimiterIpv6Subnet = 64;
  /** `RATE_LIMITER_REDIS_HOST`. */
  @Env('RATE_LIMITER_REDIS_HOST') @IsString() rateLimiterRedisHost = 'localhost';
  /** `RATE_LIMITER_REDIS_PORT`. */
  @Env('RATE_LIMITER_REDIS_PORT') @Int(1, 65535) rateLimiterRedisPort = 6379;
  /** `RATE_LIMITER_REDIS_DB`: database index. */
  @Env('RATE_LIMITER_REDIS_DB') @Int(0, 65535) rateLimiterRedisDb = 1;
  /** `RATE_LIMITER_REDIS_PASSWORD`. */
  @Env('RATE_LIMITER_REDIS_PASSWORD') @IsOptional() @IsString() rateLimiterRedisPassword?: string;
  /** `RATE_LIMITER_REDIS_CONNECT_TIMEOUT`: seconds. */
  @Env('RATE_LIMITER_REDIS_CONNECT_TIMEOUT') @PositiveNumber() rateLimiterRedisConnectTimeout = 5;
  /** `RATE_LIMITER_REDIS_POOL_SIZE`. */
  @Env('RATE_LIMITER_REDIS_POOL_SIZE') @Int(1) rateLimiterRedisPoolSize = 10;
  /** `RATE_LIMITER_REDIS_URL`: overrides host, port, db and password. */
  @Env('RATE_LIMITER_REDIS_URL') @Url('redis:', 'rediss:') rateLimiterRedisUrl?: string;
  /** `RATE_LIMITER_REDIS_CLUSTER_NODES`: `host:port,…` of a Redis Cluster; wins over the above. */
  @Env('RATE_LIMITER_REDIS_CLUSTER_NODES')
  @IsOptional()
  @HostPorts()
  @NotSetWith('rateLimiterRedisSentinels')
  rateLimiterRedisClusterNodes?: HostPort[];
  /** `RATE_LIMITER_REDIS_SENTINELS`: `host:port,…` of the sentinels watching the master. */
  @Env('RATE_LIMITER_REDIS_SENTINELS')
  @SetTogetherWith('rateLimiterRedisSentinelName')
  @HostPorts()
  rateLimiterRedisSentinels?: HostPort[];
  /** `RATE_LIMITER_REDIS_SENTINEL_NAME`: the master group the sentinels watch. */
  @Env('RATE_LIMITER_REDIS_SENTINEL_NAME')
  @SetTogetherWith('rateLimiterRedisSentinels')
  @IsString(TEXT)
  rateLimiterRedisSentinelName?: string;
  /** `RATE_LIMITER_REDIS_SENTINEL_PASSWORD`: the sentinels' own; never logged. */
  @Env('RATE_LIMITER_REDIS_SENTINEL_PASSWORD')
  @IsOptional()
  @IsString(TEXT)
  rateLimiterRedisSentinelPassword?: string;
  /** `RATE_LIMITER_MEMCACHED_HOST`. */
  @Env('RATE_LIMITER_MEMCACHED_HOST') @IsString() rateLimiterMemcachedHost = 'localhost';
  /** `RATE_LIMITER_MEMCACHED_PORT`. */
  @Env('RATE_LIMITER_MEMCACHED_PORT') @Int(1, 65535) rateLimiterMemcachedPort = 11211;
  /** `RATE_LIMITER_MEMCACHED_POOL_SIZE`. */
  @Env('RATE_LIMITER_MEMCACHED_POOL_SIZE') @Int(1) rateLimiterMemcachedPoolSize = 10;
  /** `DATABASE_URL`: PostgreSQL server; unset means embedded PGlite. */
  @Env('DATABASE_URL') @Url('postgres:', 'postgresql:') databaseUrl?: string;
  /** `PGLITE_DATA_DIR`: embedded database directory (`memory://`: in memory). */
  @Env('PGLITE_DATA_DIR') @IsString() pgliteDataDir = './data/';
  /** `RATE_LIMIT_RULES_REFRESH_MS`: how often rule changes made by other instances are picked up. */
  @Env('RATE_LIMIT_RULES_REFRESH_MS') @Int(100, 3_600_000) rateLimitRulesRefreshMs = 5000;
  /** `TRUST_PROXY`: Express `trust proxy` setting. */
  @Env('TRUST_PROXY') @TrustProxy() trustProxy: TrustProxySetting = false;
  /** `JWT_SECRET`: demo auth secret, at least 16 characters. */
  @Env('JWT_SECRET')
  @IsOptional()
  @MinLength(16, { message: 'must be at least 16 characters' })
  jwtSecret?: string;
  /** `JWT_MAX_LIFETIME`: longest token lifetime, seconds; unset: 24 h in production, else none. */
  @Env('JWT_MAX_LIFETIME') @IsOptional() @Int(1, 31_536_000) jwtMaxLifetime?: number;
  /** `DEMO_ADMIN_USERNAME`: the login's account; login is off unless both are set. */
  @Env('DEMO_ADMIN_USERNAME') @IsOptional() @IsString(TEXT) demoAdminUsername?: string;
  /** `METRICS_TOKEN`: the bearer token `GET /metrics` asks for; unset: none. Never logged. */
  @Env('METRICS_TOKEN')
  @IsOptional()
  @Matches(/^\S{16,}$/, { message: 'must be at least 16 characters, none of them a space' })
  metricsToken?: string;
  /** `DEMO_ADMIN_PASSWORD`: its password; never logged. */
  @Env('DEMO_ADMIN_PASSWORD') @IsOptional() @IsString(TEXT) demoAdminPassword?: string;
}

/**
 * The validated configuration: one camelCased field per variable (`RATE_LIMITER_BACKEND` →
 * `rateLimiterBackend`), typed and defaulted; `rateLimiterFailureMode`, `rateLimiterRedisPassword`,
 * `rateLimiterRedisUrl`, `databaseUrl`, `jwtSecret`, `jwtMaxLifetime`, the total budget and the
 * demo admin's credentials are absent when unset.
 */
export type AppEnv = Readonly<EnvironmentVariables>;

/**
 * Validates and types the environment. An empty string counts as unset; unknown variables are
 * ignored. Usable as `ConfigModule.forRoot({ validate: validateEnv })`.
 * @throws Error with one line per bad variable, naming it and quoting the value.
 * @example validateEnv(process.env).rateLimiterBackend // 'memory'
 */
export function validateEnv(raw: Record<string, unknown>): AppEnv {
  const given = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const options = { excludeExtraneousValues: true, exposeUnsetFields: false };
  const env = plainToInstance(EnvironmentVariables, given, options);
  const errors = validateSync(env, { stopAtFirstError: true });
  if (errors.length > 0) throw new Error(errors.map((error) => describe(error, raw)).join('\n'));
  return { ...env };
}

function describe(error: ValidationError, raw: Record<string, unknown>): string {
  const name = variableName(error.property);
  const message = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
  const given = raw[name];
  const value = String(given);
  // A variable required by another one that is set: there is no value to show.
  if (given === undefined || value === '') return `${name} ${message}`;
  // Never echo a secret, nor a password inside a URL.
  if (SECRET_VARIABLES.has(name)) return `${name} ${message} (got ${value.length} characters)`;
  return `${name} ${message} (got ${JSON.stringify(value.replace(/((?:\/\/|^|,)[^/@:,]*:)[^/@,]*@/g, '$1***@'))})`;
}
