import { validateEnv } from './env.validation.js';
import { rateLimitOptionsFromEnv } from './rate-limit-options.from-env.js';

describe('rateLimitOptionsFromEnv', () => {
  it('passes the total budget on as defaultTotalLimit / defaultTotalPeriod', () => {
    const env = validateEnv({
      DEFAULT_RATE_LIMIT_TOTAL_LIMIT: '3',
      DEFAULT_RATE_LIMIT_TOTAL_PERIOD: '60',
    });
    expect(rateLimitOptionsFromEnv(env)).toMatchObject({
      defaultTotalLimit: 3,
      defaultTotalPeriod: 60,
    });
  });

  it('sets no total budget when the variables are unset', () => {
    const options = rateLimitOptionsFromEnv(validateEnv({}));
    expect(options.defaultTotalLimit).toBeUndefined();
    expect(options.defaultTotalPeriod).toBeUndefined();
  });

  it('passes headers, problem details and shadow mode on', () => {
    const env = validateEnv({
      RATE_LIMITER_HEADERS: 'ietf',
      RATE_LIMITER_PROBLEM_DETAILS: 'true',
      RATE_LIMITER_SHADOW: '1',
    });
    expect(rateLimitOptionsFromEnv(env)).toMatchObject({
      headers: 'ietf',
      problemDetails: true,
      shadow: true,
    });
    expect(rateLimitOptionsFromEnv(validateEnv({}))).toMatchObject({
      headers: 'legacy',
      problemDetails: false,
      shadow: false,
    });
  });

  it('passes the deny cache on, leaving the default to the package when unset', () => {
    const env = validateEnv({ RATE_LIMITER_LOCAL_DENY_CACHE: 'false' });
    expect(rateLimitOptionsFromEnv(env).localDenyCache).toBe(false);
    expect(rateLimitOptionsFromEnv(validateEnv({})).localDenyCache).toBeUndefined();
  });

  it('passes a Redis Cluster and Sentinel on', () => {
    const cluster = validateEnv({ RATE_LIMITER_REDIS_CLUSTER_NODES: 'a:7000,b:7001' });
    expect(rateLimitOptionsFromEnv(cluster).redis).toMatchObject({
      cluster: {
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
      },
    });
    const sentinel = validateEnv({
      RATE_LIMITER_REDIS_SENTINELS: 's1:26379',
      RATE_LIMITER_REDIS_SENTINEL_NAME: 'main',
      RATE_LIMITER_REDIS_SENTINEL_PASSWORD: 'pw',
    });
    expect(rateLimitOptionsFromEnv(sentinel).redis).toMatchObject({
      sentinels: [{ host: 's1', port: 26379 }],
      sentinelName: 'main',
      sentinelPassword: 'pw',
    });
    expect(rateLimitOptionsFromEnv(validateEnv({})).redis?.cluster).toBeUndefined();
  });
});
