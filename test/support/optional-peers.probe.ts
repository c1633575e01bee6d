/*
 * Run with plain Node inside a package sandbox that lacks ioredis and memcached (see
 * optional-peers.int-spec.ts). Its static import of the module's entry point is the first check:
 * a value import of either package at load would stop it here, before anything is printed.
 *   report: prints a JSON report of what works and what each store says.
 *   start <store>: starts a Nest context on that store with Nest's default error handling.
 */
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { NestFactory } from '@nestjs/core';
import type * as ioredis from 'ioredis';
// The transpiled sources beside this file, not the installed package: the sandbox lacks its peers.
import * as rateLimit from '../../packages/nest-tier-rate-limit/src/rate-limit/index.js';

const { MemcachedRateLimitStore, RateLimitModule, RateLimitStore, RedisRateLimitStore } = rateLimit;
const quiet = { logger: false as const, abortOnError: false };

function errorOf(action: () => unknown): string {
  try {
    action();
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
}

async function startupErrorOf(store: 'redis' | 'memcached'): Promise<string> {
  const module = RateLimitModule.forRoot({ store });
  const context = await NestFactory.createApplicationContext(module, quiet).catch(
    (error: Error) => error,
  );
  if (context instanceof Error) return context.message;
  await context.close();
  return 'started';
}

async function memoryCount(): Promise<number> {
  const module = RateLimitModule.forRoot({ store: 'memory' });
  const context = await NestFactory.createApplicationContext(module, quiet);
  try {
    return (await context.get(RateLimitStore).incrementAndCheck('probe', 5, 60)).count;
  } finally {
    await context.close();
  }
}

/** A client the app made with its own ioredis, which the store cannot resolve from its folder. */
async function userClientCount(): Promise<number> {
  const projectRequire = createRequire(join(process.env.PROJECT_ROOT ?? '.', 'package.json'));
  const { Redis } = projectRequire('ioredis') as typeof ioredis;
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15');
  try {
    const store = new RedisRateLimitStore({ client });
    const key = `ratelimit:probe-${process.pid}-${Date.now()}`;
    const hit = await store.incrementAndCheck(key, 5, 60);
    await store.reset(key);
    return hit.count;
  } finally {
    await client.quit();
  }
}

async function report(): Promise<void> {
  const result = {
    exports: Object.keys(rateLimit).sort(),
    memoryCount: await memoryCount(),
    redisError: errorOf(() => new RedisRateLimitStore()),
    memcachedError: errorOf(() => new MemcachedRateLimitStore()),
    redisStartup: await startupErrorOf('redis'),
    memcachedStartup: await startupErrorOf('memcached'),
    userClientCount: await userClientCount(),
  };
  process.stdout.write(JSON.stringify(result));
}

const [mode, store] = process.argv.slice(2);
if (mode === 'start') {
  await NestFactory.createApplicationContext(RateLimitModule.forRoot({ store: store as 'redis' }));
} else {
  await report();
}
