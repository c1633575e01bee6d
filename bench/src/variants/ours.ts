import * as project from 'nest-tier-rate-limit';
import { callerFromHeader } from './caller.js';
import type { VariantFactory } from './variant.js';

/** The package's entry point the variant is built from: this checkout's, or an earlier build. */
export type ProjectPackage = Pick<typeof project, 'RateLimitGuard' | 'RateLimitModule'>;

/** This project's guard on one of its built-in stores, configured as the README shows. */
export function ours(
  store: 'memory' | 'redis' | 'memcached',
  { RateLimitGuard, RateLimitModule }: ProjectPackage = project,
  defaultAlgorithm?: project.RateLimitAlgorithm,
  extra: Partial<project.RateLimitModuleOptions> = {},
): VariantFactory {
  return ({ scenario, redisPort, memcachedPort }) => ({
    imports: [
      RateLimitModule.forRoot({
        store,
        redis: { host: '127.0.0.1', port: redisPort, db: 0 },
        memcached: { host: '127.0.0.1', port: memcachedPort },
        callerResolver: callerFromHeader,
        defaultLimit: scenario.limit,
        defaultPeriod: scenario.periodSeconds,
        defaultAlgorithm,
        ...extra,
      }),
    ],
    guard: RateLimitGuard,
  });
}
