import type { RateLimitModuleOptions } from 'nest-tier-rate-limit';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const [memcachedHost, memcachedPort] = (process.env.MEMCACHED_LOCATION ?? '127.0.0.1:11211').split(
  ':',
);

/** Each built-in store, as module options pointed at the CI's Redis and Memcached. */
export const storeOptions: [string, () => RateLimitModuleOptions][] = [
  ['memory', () => ({ store: 'memory' })],
  ['redis', () => ({ store: 'redis', redis: { url: redisUrl } })],
  [
    'memcached',
    () => ({ store: 'memcached', memcached: { host: memcachedHost, port: Number(memcachedPort) } }),
  ],
];
