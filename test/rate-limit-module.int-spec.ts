import { Test } from '@nestjs/testing';
import {
  MemcachedRateLimitStore,
  MemoryRateLimitStore,
  RateLimitGuard,
  RateLimitModule,
  type RateLimitModuleOptions,
  RateLimitService,
  RateLimitStore,
  RedisRateLimitStore,
} from 'nest-tier-rate-limit';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const [memcachedHost, memcachedPort] = (process.env.MEMCACHED_LOCATION ?? '127.0.0.1:11211').split(
  ':',
);

const cases: [string, RateLimitModuleOptions, new (...args: never[]) => RateLimitStore][] = [
  ['default', {}, MemoryRateLimitStore],
  ['memory', { store: 'memory' }, MemoryRateLimitStore],
  ['redis', { store: 'redis', redis: { url: redisUrl } }, RedisRateLimitStore],
  [
    'memcached',
    { store: 'memcached', memcached: { host: memcachedHost, port: Number(memcachedPort) } },
    MemcachedRateLimitStore,
  ],
];

const registrations = [
  ['forRoot', (options: RateLimitModuleOptions) => RateLimitModule.forRoot(options)],
  [
    'forRootAsync',
    (options: RateLimitModuleOptions) =>
      RateLimitModule.forRootAsync({ useFactory: () => Promise.resolve(options) }),
  ],
] as const;

describe.each(registrations)('RateLimitModule.%s', (_form, register) => {
  it.each(cases)('store %s resolves to its class', async (_name, options, expected) => {
    const moduleRef = await Test.createTestingModule({ imports: [register(options)] }).compile();
    try {
      const store = moduleRef.get(RateLimitStore);
      expect(store).toBeInstanceOf(expected);
      await store.ping();
      expect(moduleRef.get(RateLimitService)).toBeInstanceOf(RateLimitService);
      expect(moduleRef.get(RateLimitGuard)).toBeInstanceOf(RateLimitGuard);
    } finally {
      await moduleRef.close();
    }
  });

  it('uses a store instance as given', async () => {
    const store = new MemoryRateLimitStore();
    const moduleRef = await Test.createTestingModule({ imports: [register({ store })] }).compile();
    expect(moduleRef.get(RateLimitStore)).toBe(store);
    await moduleRef.close();
  });

  it('refuses invalid options at start-up, naming the option', async () => {
    const compiling = Test.createTestingModule({
      imports: [register({ defaultLimit: 0 })],
    }).compile();
    await expect(compiling).rejects.toThrow(
      'RateLimitModule option defaultLimit must be a positive integer',
    );
    const unknownAlgorithm = Test.createTestingModule({
      imports: [register({ defaultAlgorithm: 'leaky-bucket' as never })],
    }).compile();
    await expect(unknownAlgorithm).rejects.toThrow(
      'RateLimitModule option defaultAlgorithm must be one of fixed-window, sliding-window, gcra',
    );
  });
});
