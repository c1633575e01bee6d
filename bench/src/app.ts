import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { benchAppModule } from './app-module.js';
import { QueryLog } from './query-log.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import { variantInfo } from './variants/catalog.js';
import { VARIANT_FACTORIES } from './variants/index.js';

/**
 * One bench app process: `VARIANT` picks the guard, `SCENARIO` its limit, `PORT` where it
 * listens; `REDIS_PORT` and `MEMCACHED_PORT` are the runner's throwaway servers. The runner starts
 * it, polls `GET /bench/stats` until it answers, and stops it with SIGTERM.
 */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const variant = variantInfo(required(env, 'VARIANT'));
  const scenario = SCENARIOS[required(env, 'SCENARIO') as ScenarioName];
  if (scenario === undefined) throw new Error(`Unknown SCENARIO ${env.SCENARIO}`);
  const queryLog = new QueryLog();
  const wiring = VARIANT_FACTORIES[variant.name]({
    scenario,
    redisPort: Number(env.REDIS_PORT ?? 6379),
    memcachedPort: Number(env.MEMCACHED_PORT ?? 11211),
    queryLog,
  });
  const app = await NestFactory.create(benchAppModule(wiring, queryLog), {
    logger: ['error', 'warn'],
  });
  await app.listen(Number(required(env, 'PORT')), '127.0.0.1');
  // A plain exit (not Nest's re-raised signal) so that `--cpu-prof` writes its profile.
  process.once('SIGTERM', () => process.exit(0));
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

main(process.env).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
