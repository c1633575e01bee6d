import { readFileSync } from 'node:fs';
import { validateEnv, type AppEnv } from './env.validation.js';

function errorOf(raw: Record<string, unknown>): string {
  try {
    validateEnv(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected validateEnv to throw');
}

describe('validateEnv', () => {
  it('applies every default to an empty environment', () => {
    expect(validateEnv({})).toEqual<AppEnv>({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      rateLimiterEnabled: true,
      rateLimiterBackend: 'memory',
      rateLimiterFailOpen: true,
      rateLimiterBreakerThreshold: 5,
      rateLimiterBreakerCooldownMs: 1000,
      defaultRateLimitLimit: 100,
      defaultRateLimitPeriod: 60,
      defaultRateLimitAlgorithm: 'fixed-window',
      rateLimiterHeaders: 'legacy',
      rateLimiterProblemDetails: false,
      rateLimiterShadow: false,
      rateLimiterStoreTimeoutMs: 250,
      rateLimiterMemoryMaxKeys: 100_000,
      rateLimiterIpv6Subnet: 64,
      rateLimiterRedisHost: 'localhost',
      rateLimiterRedisPort: 6379,
      rateLimiterRedisDb: 1,
      rateLimiterRedisConnectTimeout: 5,
      rateLimiterRedisPoolSize: 10,
      rateLimiterMemcachedHost: 'localhost',
      rateLimiterMemcachedPort: 11211,
      rateLimiterMemcachedPoolSize: 10,
      pgliteDataDir: './data/',
      rateLimitRulesRefreshMs: 5000,
      trustProxy: false,
    });
  });

  it('treats empty strings as unset and ignores unknown variables', () => {
    const env = validateEnv({
      PORT: '',
      JWT_SECRET: '',
      JWT_MAX_LIFETIME: '',
      HOME: '/root',
      PATH: '/bin',
    });
    expect(env.port).toBe(3000);
    expect(env).not.toHaveProperty('jwtSecret');
    expect(env).not.toHaveProperty('jwtMaxLifetime');
    expect(env).not.toHaveProperty('HOME');
  });

  it('parses and types given values', () => {
    const env = validateEnv({
      NODE_ENV: 'production',
      PORT: '8080',
      RATE_LIMITER_BACKEND: 'redis',
      DEFAULT_RATE_LIMIT_LIMIT: '5',
      RATE_LIMITER_REDIS_DB: '0',
      RATE_LIMITER_REDIS_PASSWORD: 'pw',
      RATE_LIMITER_REDIS_CONNECT_TIMEOUT: '0.5',
      RATE_LIMITER_REDIS_URL: 'rediss://user:pw@cache:6380/2',
      DATABASE_URL: 'postgresql://app:pw@db:5432/app',
      JWT_SECRET: 'a'.repeat(16),
      JWT_MAX_LIFETIME: '3600',
    });
    expect(env).toMatchObject({
      nodeEnv: 'production',
      port: 8080,
      rateLimiterBackend: 'redis',
      defaultRateLimitLimit: 5,
      rateLimiterRedisDb: 0,
      rateLimiterRedisPassword: 'pw',
      rateLimiterRedisConnectTimeout: 0.5,
      rateLimiterRedisUrl: 'rediss://user:pw@cache:6380/2',
      databaseUrl: 'postgresql://app:pw@db:5432/app',
      jwtSecret: 'a'.repeat(16),
      jwtMaxLifetime: 3600,
    });
  });

  it('names the variable and quotes the value', () => {
    expect(errorOf({ RATE_LIMITER_BACKEND: 'redsi' })).toBe(
      'RATE_LIMITER_BACKEND must be one of: memory, redis, memcached (got "redsi")',
    );
  });

  it.each([
    ['NODE_ENV', 'prod'],
    ['PORT', '0'],
    ['PORT', '65536'],
    ['PORT', 'http'],
    ['PORT', '80.5'],
    ['RATE_LIMITER_ENABLED', 'yes'],
    ['RATE_LIMITER_FAIL_OPEN', 'nope'],
    ['RATE_LIMITER_FAILURE_MODE', 'sometimes'],
    ['DEFAULT_RATE_LIMIT_ALGORITHM', 'leaky-bucket'],
    ['RATE_LIMITER_HEADERS', 'draft'],
    ['RATE_LIMITER_PROBLEM_DETAILS', 'rfc9457'],
    ['RATE_LIMITER_SHADOW', 'maybe'],
    ['RATE_LIMITER_LOCAL_DENY_CACHE', 'sometimes'],
    ['RATE_LIMITER_BREAKER_THRESHOLD', '-1'],
    ['RATE_LIMITER_BREAKER_COOLDOWN_MS', '0'],
    ['DEFAULT_RATE_LIMIT_LIMIT', '-1'],
    ['DEFAULT_RATE_LIMIT_LIMIT', '0'],
    ['DEFAULT_RATE_LIMIT_PERIOD', '1e3'],
    ['RATE_LIMITER_STORE_TIMEOUT_MS', '60001'],
    ['RATE_LIMITER_MEMORY_MAX_KEYS', 'many'],
    ['RATE_LIMITER_IPV6_SUBNET', '129'],
    ['RATE_LIMITER_REDIS_PORT', 'x'],
    ['RATE_LIMITER_REDIS_DB', '-1'],
    ['RATE_LIMITER_REDIS_CONNECT_TIMEOUT', '0'],
    ['RATE_LIMITER_REDIS_CONNECT_TIMEOUT', '5s'],
    ['RATE_LIMITER_REDIS_POOL_SIZE', '0'],
    ['RATE_LIMITER_REDIS_URL', 'http://cache:6379'],
    ['RATE_LIMITER_REDIS_URL', 'redis://'],
    ['RATE_LIMITER_MEMCACHED_PORT', '-5'],
    ['RATE_LIMITER_MEMCACHED_POOL_SIZE', '2.5'],
    ['DATABASE_URL', 'mysql://db/app'],
    ['TRUST_PROXY', 'yes'],
    ['JWT_MAX_LIFETIME', '0'],
    ['JWT_MAX_LIFETIME', '-60'],
    ['JWT_MAX_LIFETIME', '1h'],
    ['JWT_MAX_LIFETIME', '86400.5'],
    ['JWT_MAX_LIFETIME', '1e5'],
    ['JWT_MAX_LIFETIME', '31536001'],
  ])('rejects %s=%s with one line naming it', (name, value) => {
    const message = errorOf({ [name]: value });
    expect(message.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${name} must .+ \\(got ${JSON.stringify(value)}\\)$`)),
    ]);
  });

  it.each(['short', 'has a space in the middle'])(
    'rejects METRICS_TOKEN=%s without echoing it',
    (value) => {
      expect(errorOf({ METRICS_TOKEN: value })).toBe(
        `METRICS_TOKEN must be at least 16 characters, none of them a space (got ${value.length} characters)`,
      );
    },
  );

  it('accepts JWT_MAX_LIFETIME from 1 second to one year', () => {
    expect(validateEnv({ JWT_MAX_LIFETIME: '1' }).jwtMaxLifetime).toBe(1);
    expect(validateEnv({ JWT_MAX_LIFETIME: '31536000' }).jwtMaxLifetime).toBe(31_536_000);
    expect(errorOf({ JWT_MAX_LIFETIME: '0' })).toBe(
      'JWT_MAX_LIFETIME must be an integer from 1 to 31536000 (got "0")',
    );
  });

  it.each(['fixed-window', 'sliding-window', 'gcra'])(
    'accepts DEFAULT_RATE_LIMIT_ALGORITHM=%s',
    (name) => {
      expect(validateEnv({ DEFAULT_RATE_LIMIT_ALGORITHM: name }).defaultRateLimitAlgorithm).toBe(
        name,
      );
    },
  );

  it.each(['open', 'closed', 'local'])('accepts RATE_LIMITER_FAILURE_MODE=%s', (mode) => {
    expect(validateEnv({ RATE_LIMITER_FAILURE_MODE: mode }).rateLimiterFailureMode).toBe(mode);
  });

  it('gives one line per bad variable', () => {
    const message = errorOf({ PORT: 'abc', RATE_LIMITER_BACKEND: 'redsi', NODE_ENV: 'dev' });
    expect(message.split('\n').sort()).toEqual([
      'NODE_ENV must be one of: development, production, test (got "dev")',
      'PORT must be an integer from 1 to 65535 (got "abc")',
      'RATE_LIMITER_BACKEND must be one of: memory, redis, memcached (got "redsi")',
    ]);
  });

  it('never echoes a secret or a password inside a URL', () => {
    expect(errorOf({ JWT_SECRET: 'hunter2' })).toBe(
      'JWT_SECRET must be at least 16 characters (got 7 characters)',
    );
    const message = errorOf({ DATABASE_URL: 'mysql://app:s3cret@db/app' });
    expect(message).toContain('"mysql://app:***@db/app"');
    expect(message).not.toContain('s3cret');
  });

  describe('Redis Cluster and Sentinel', () => {
    const CLUSTER = 'RATE_LIMITER_REDIS_CLUSTER_NODES';
    const SENTINELS = 'RATE_LIMITER_REDIS_SENTINELS';
    const NAME = 'RATE_LIMITER_REDIS_SENTINEL_NAME';

    it('reads host:port lists, trimmed, IPv6 hosts in brackets', () => {
      expect(validateEnv({ [CLUSTER]: 'redis-1:7000, 10.0.0.6:7001,[::1]:7002' })).toMatchObject({
        rateLimiterRedisClusterNodes: [
          { host: 'redis-1', port: 7000 },
          { host: '10.0.0.6', port: 7001 },
          { host: '::1', port: 7002 },
        ],
      });
      expect(validateEnv({ [SENTINELS]: '127.0.0.1:26379', [NAME]: 'main' })).toMatchObject({
        rateLimiterRedisSentinels: [{ host: '127.0.0.1', port: 26379 }],
        rateLimiterRedisSentinelName: 'main',
      });
    });

    it('never echoes a password written into a node list', () => {
      const message = errorOf({ [CLUSTER]: 'user:s3cret@redis-1:7000' });
      expect(message).not.toContain('s3cret');
      expect(message).toContain('user:***@redis-1:7000');
    });

    it('takes host names with underscores', () => {
      expect(validateEnv({ [CLUSTER]: 'redis_node_1:7000' }).rateLimiterRedisClusterNodes).toEqual([
        { host: 'redis_node_1', port: 7000 },
      ]);
    });

    it.each(['redis-1', 'redis-1:0', 'redis-1:65536', 'a:1,,b:2', '::1:7000', 'redis://a:1'])(
      'rejects %s as a node list',
      (value) => {
        expect(errorOf({ [CLUSTER]: value })).toBe(
          `${CLUSTER} must be a comma-separated list of host:port (an IPv6 host in brackets) (got ${JSON.stringify(value)})`,
        );
      },
    );

    it('needs the sentinels and their master name together', () => {
      expect(errorOf({ [SENTINELS]: 'a:26379' })).toBe(
        `${NAME} must be set when ${SENTINELS} is set`,
      );
      expect(errorOf({ [NAME]: 'main' })).toBe(`${SENTINELS} must be set when ${NAME} is set`);
    });

    it('refuses a cluster and sentinels together', () => {
      expect(errorOf({ [CLUSTER]: 'a:7000', [SENTINELS]: 'b:26379', [NAME]: 'main' })).toBe(
        `${CLUSTER} cannot be set with ${SENTINELS} (got "a:7000")`,
      );
    });

    it('never echoes the sentinel password', () => {
      const secret = { RATE_LIMITER_REDIS_SENTINEL_PASSWORD: 'sentinel-secret', PORT: 'x' };
      expect(errorOf(secret)).not.toContain('sentinel-secret');
    });
  });

  describe('DEFAULT_RATE_LIMIT_TOTAL_LIMIT / _PERIOD', () => {
    const LIMIT = 'DEFAULT_RATE_LIMIT_TOTAL_LIMIT';
    const PERIOD = 'DEFAULT_RATE_LIMIT_TOTAL_PERIOD';

    it('reads the pair as positive integers', () => {
      expect(validateEnv({ [LIMIT]: '1000', [PERIOD]: '3600' })).toMatchObject({
        defaultRateLimitTotalLimit: 1000,
        defaultRateLimitTotalPeriod: 3600,
      });
    });

    it('leaves both absent when neither is set, or both are empty', () => {
      for (const env of [validateEnv({}), validateEnv({ [LIMIT]: '', [PERIOD]: '' })]) {
        expect(env).not.toHaveProperty('defaultRateLimitTotalLimit');
        expect(env).not.toHaveProperty('defaultRateLimitTotalPeriod');
      }
    });

    it.each([
      [{ [LIMIT]: '1000' }, `${PERIOD} must be set when ${LIMIT} is set`],
      [{ [LIMIT]: '1000', [PERIOD]: '' }, `${PERIOD} must be set when ${LIMIT} is set`],
      [{ [PERIOD]: '60' }, `${LIMIT} must be set when ${PERIOD} is set`],
    ])('refuses half of the pair (%j) in one line naming the missing one', (raw, line) => {
      expect(errorOf(raw)).toBe(line);
    });

    it.each([
      [LIMIT, '0'],
      [LIMIT, '-5'],
      [LIMIT, '1.5'],
      [PERIOD, '0'],
      [PERIOD, 'hour'],
      [PERIOD, '1e3'],
    ])('rejects %s=%s beside a valid partner, in one line', (name, value) => {
      const raw = { [LIMIT]: '10', [PERIOD]: '60', [name]: value };
      expect(errorOf(raw)).toBe(
        `${name} must be a positive integer (got ${JSON.stringify(value)})`,
      );
    });
  });

  describe('DEMO_ADMIN_USERNAME / _PASSWORD', () => {
    it('reads both as given, and leaves either absent when unset', () => {
      const env = validateEnv({ DEMO_ADMIN_USERNAME: 'admin', DEMO_ADMIN_PASSWORD: ' p@ss ' });
      expect(env).toMatchObject({ demoAdminUsername: 'admin', demoAdminPassword: ' p@ss ' });
      const half = validateEnv({ DEMO_ADMIN_USERNAME: 'admin', DEMO_ADMIN_PASSWORD: '' });
      expect(half).not.toHaveProperty('demoAdminPassword');
    });

    it.each(['DEMO_ADMIN_USERNAME', 'DEMO_ADMIN_PASSWORD'])('never echoes %s', (name) => {
      // Only a caller passing a non-string (not the process environment) can make it invalid.
      expect(errorOf({ [name]: 123456 })).toBe(`${name} must be a string (got 6 characters)`);
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('parses the boolean %s explicitly', (value, expected) => {
    const env = validateEnv({ RATE_LIMITER_ENABLED: value, RATE_LIMITER_FAIL_OPEN: value });
    expect(env.rateLimiterEnabled).toBe(expected);
    expect(env.rateLimiterFailOpen).toBe(expected);
  });

  it.each([
    ['true', true],
    ['FALSE', false],
    ['0', 0],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8 ,::1', ['loopback', '10.0.0.0/8', '::1']],
    ['linklocal,uniquelocal,fe80::/10,192.168.0.0/255.255.0.0', expect.any(Array)],
  ])('accepts TRUST_PROXY=%s', (value, expected) => {
    expect(validateEnv({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['garbage', '10.0.0.1/33', '300.1.1.1', 'loopback,,10.0.0.1', '-1', '1.5', 'Loopback'])(
    'rejects TRUST_PROXY=%s',
    (value) => {
      expect(errorOf({ TRUST_PROXY: value })).toMatch(/^TRUST_PROXY must be true, false, a hop/);
    },
  );
});

describe('.env.example', () => {
  it('lists every variable, each with a valid example value', () => {
    const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const entries = [...text.matchAll(/^(?:# )?([A-Z0-9_]+)=(.*)$/gm)].map(
      ([, k, v]): [string, string] => [k, v],
    );
    const env = validateEnv(Object.fromEntries(entries));
    expect(entries).toHaveLength(44);
    // Empty: the Redis and sentinel passwords, the cluster's nodes (a cluster excludes the
    // sentinels), the JWT secret, the demo admin's password and the metrics token.
    expect(Object.keys(env)).toHaveLength(44 - 6);
  });
});
