import { counterRequests } from '../counter-runs.js';
import { watchRedis } from '../counters.js';
import { sleep } from '../net.js';
import type { ScenarioName } from '../scenarios.js';
import { ask } from './channel.js';
import { decideMany, type GuardHost } from './guard-host.js';
import { shuffled } from './timing.js';
import type { RedisStats } from './redis-stats.js';

/** What Redis counted while one variant made `checks` decisions. */
export interface RedisCost {
  variant: string;
  scenario: ScenarioName;
  checks: number;
  /** Counters after `CONFIG RESETSTAT` and the checks, one per pass. */
  passes: RedisStats[];
  /** Counters after `CONFIG RESETSTAT` alone: what the reading exchange itself adds. */
  exchange: RedisStats;
  /** Commands sent by clients (round trips), from `MONITOR` in a second pass of `checks`. */
  clientCommands: Record<string, number>;
}

/** Memcached `stats` deltas while one variant made `checks` decisions. */
export interface MemcachedCost {
  variant: string;
  scenario: ScenarioName;
  checks: number;
  /** One per pass. */
  passes: MemcachedPass[];
}

/** Memcached `stats` deltas of one pass. */
export interface MemcachedPass {
  /** Counter deltas over the checks (they include one `stats` exchange). */
  deltas: Record<string, number>;
  /** Deltas between two `stats` calls with nothing in between: one exchange's share. */
  exchange: Record<string, number>;
}

/**
 * Counter passes per variant, interleaved (A B C, then another order): a server's µs per call
 * move with this machine's speed, which shifts within a second, as much as two to one.
 */
export const BACKEND_PASSES = 5;

/**
 * Checks per counter pass: many-keys as the e2e counter runs (two passes of its callers, so half
 * open a window), 2,000 in allow and deny, whose checks all look alike.
 */
export const backendChecks = (scenario: ScenarioName) =>
  scenario === 'many-keys' ? counterRequests(scenario) : 2000;

/** The `MONITOR` pass only counts commands: decisions awaiting at once, to save time. */
const MONITOR_IN_FLIGHT = 50;

/** Empty servers, then one decision: connections and scripts ready, the first window open. */
async function prepare(host: GuardHost): Promise<void> {
  await ask('flush');
  await decideMany(host, 1, 1, SHARED);
}

// The servers' counters do not depend on the request objects' hidden classes: built fast.
const SHARED = true;

async function redisPass(host: GuardHost, checks: number): Promise<RedisStats> {
  await prepare(host);
  await ask('redis-reset');
  await decideMany(host, checks, 1, SHARED);
  return ask<RedisStats>('redis-stats');
}

/**
 * Redis' own counters over {@link backendChecks} checks of each host, one after the other as in
 * the timed rounds: `INFO commandstats` and `INFO stats` after `CONFIG RESETSTAT`, both sent by
 * the runner on a connection of its own, {@link BACKEND_PASSES} passes each, interleaved; then a
 * pass under `MONITOR` (whose own output would inflate the bytes), to tell the commands clients
 * send from those a script runs.
 */
export async function redisCosts(
  hosts: readonly GuardHost[],
  scenario: ScenarioName,
  redisPort: number,
): Promise<RedisCost[]> {
  const checks = backendChecks(scenario);
  await ask('redis-reset');
  const exchange = await ask<RedisStats>('redis-stats');
  const passes = hosts.map((): RedisStats[] => []);
  for (let pass = 0; pass < BACKEND_PASSES; pass += 1)
    for (const index of shuffled([...hosts.keys()], pass + 1))
      passes[index].push(await redisPass(hosts[index], checks));
  const costs: RedisCost[] = [];
  for (const [index, host] of hosts.entries()) {
    await prepare(host);
    const monitor = await watchRedis(redisPort);
    await decideMany(host, checks, MONITOR_IN_FLIGHT, SHARED);
    // MONITOR lines trail the replies slightly.
    await sleep(200);
    const clientCommands = monitor.stop();
    costs.push({
      variant: host.name,
      scenario,
      checks,
      passes: passes[index],
      exchange,
      clientCommands,
    });
  }
  return costs;
}

// The operation, traffic and CPU counters (not pid, uptime, limits…).
const COUNTED = /^(cmd_|get_|incr_|decr_|cas_|touch_|delete_|bytes_read$|bytes_written$|rusage_)/;

const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.keys(after)
      .filter((name) => COUNTED.test(name))
      .map((name) => [name, after[name] - (before[name] ?? 0)]),
  );

async function memcachedPass(host: GuardHost, checks: number): Promise<MemcachedPass> {
  await prepare(host);
  const first = await ask<Record<string, number>>('memcached-stats');
  const start = await ask<Record<string, number>>('memcached-stats');
  await decideMany(host, checks, 1, SHARED);
  const end = await ask<Record<string, number>>('memcached-stats');
  return { deltas: delta(end, start), exchange: delta(start, first) };
}

/** Memcached's `stats` deltas over {@link backendChecks} checks, passes as {@link redisCosts}. */
export async function memcachedCosts(
  hosts: readonly GuardHost[],
  scenario: ScenarioName,
): Promise<MemcachedCost[]> {
  const checks = backendChecks(scenario);
  const passes = hosts.map((): MemcachedPass[] => []);
  for (let pass = 0; pass < BACKEND_PASSES; pass += 1)
    for (const index of shuffled([...hosts.keys()], pass + 1))
      passes[index].push(await memcachedPass(hosts[index], checks));
  return hosts.map((host, index) => ({
    variant: host.name,
    scenario,
    checks,
    passes: passes[index],
  }));
}
