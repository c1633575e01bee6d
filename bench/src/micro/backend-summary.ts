import type { ScenarioName } from '../scenarios.js';
import { total } from '../stats.js';
import type { MemcachedCost, MemcachedPass, RedisCost } from './backend.js';
import type { RedisStats } from './redis-stats.js';

/** The pass whose `figure` is the median of all passes, with the range of that figure. */
function medianPass<T>(passes: T[], figure: (pass: T) => number): T & { range: [number, number] } {
  const sorted = [...passes].sort((a, b) => figure(a) - figure(b));
  const range: [number, number] = [figure(sorted[0]), figure(sorted[sorted.length - 1])];
  return { ...sorted[(sorted.length - 1) >> 1], range };
}

/** One Redis command's share of a check. */
export interface CommandPerCheck {
  calls: number;
  usecPerCall: number;
  /** Calls no client sent (not in `MONITOR`): run by a script, their time is in the script's. */
  inScript: number;
}

/** Redis work per check of one variant in one scenario. */
export interface RedisPerCheck {
  variant: string;
  scenario: ScenarioName;
  checks: number;
  /** Commands clients sent per check (`MONITOR`): the round trips. */
  roundTrips: number;
  commands: Record<string, CommandPerCheck>;
  /** Server CPU µs per check: client-sent commands only (a script's includes its commands). */
  serverUsec: number;
  /** Lowest and highest {@link serverUsec} over the passes; the figures are the median pass's. */
  range: [number, number];
  passes: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * Per-check figures from Redis' counters, the reading exchange's own share (`CONFIG RESETSTAT`
 * then `INFO` with nothing between) subtracted. Redis also counts commands a script runs in
 * `commandstats`, and counts their time in the script's too; a command's time is added only for
 * the share of its calls that clients sent, so none is counted twice.
 */
export function redisPerCheck(cost: RedisCost): RedisPerCheck {
  const passes = cost.passes.map((stats) => redisPass(cost, stats));
  return { ...medianPass(passes, (pass) => pass.serverUsec), passes: passes.length };
}

function redisPass(cost: RedisCost, stats: RedisStats): Omit<RedisPerCheck, 'range' | 'passes'> {
  const { checks, exchange, clientCommands } = cost;
  const commands: Record<string, CommandPerCheck> = {};
  let serverUsec = 0;
  for (const [name, stat] of Object.entries(stats.commands)) {
    const calls = stat.calls - (exchange.commands[name]?.calls ?? 0);
    const usec = stat.usec - (exchange.commands[name]?.usec ?? 0);
    if (calls <= 0) continue;
    const sent = Math.min(calls, clientCommands[name.split('|')[0]] ?? 0);
    serverUsec += (usec * sent) / calls;
    commands[name] = {
      calls: calls / checks,
      usecPerCall: usec / calls,
      inScript: (calls - sent) / checks,
    };
  }
  return {
    variant: cost.variant,
    scenario: cost.scenario,
    checks,
    roundTrips: total(clientCommands) / checks,
    commands,
    serverUsec: serverUsec / checks,
    bytesIn: (stats.netInput - exchange.netInput) / checks,
    bytesOut: (stats.netOutput - exchange.netOutput) / checks,
  };
}

/** Memcached work per check of one variant in one scenario. */
export interface MemcachedPerCheck {
  variant: string;
  scenario: ScenarioName;
  checks: number;
  /** get + set (add, cas and set all count there) + touch + incr + decr + delete, per check. */
  operations: number;
  /** Counter deltas per check (`cmd_get`, `incr_hits`, `cas_misses`…), zeros left out. */
  counters: Record<string, number>;
  bytesRead: number;
  bytesWritten: number;
  /** `rusage_user + rusage_system` µs per check. */
  cpuUsec: number;
  /** Lowest and highest {@link cpuUsec} over the passes; the figures are the median pass's. */
  range: [number, number];
  passes: number;
}

const OPERATIONS = /^(cmd_get|cmd_set|cmd_touch|(incr|decr|delete)_(hits|misses))$/;

/** Per-check figures from Memcached's `stats` deltas, one exchange's share subtracted. */
export function memcachedPerCheck(cost: MemcachedCost): MemcachedPerCheck {
  const passes = cost.passes.map((pass) => memcachedPass(cost, pass));
  return { ...medianPass(passes, (pass) => pass.cpuUsec), passes: passes.length };
}

function memcachedPass(
  cost: MemcachedCost,
  { deltas, exchange }: MemcachedPass,
): Omit<MemcachedPerCheck, 'range' | 'passes'> {
  const { checks } = cost;
  const net = (name: string) => (deltas[name] ?? 0) - (exchange[name] ?? 0);
  const counters: Record<string, number> = {};
  let operations = 0;
  for (const name of Object.keys(deltas)) {
    if (name.startsWith('bytes') || name.startsWith('rusage') || net(name) === 0) continue;
    counters[name] = net(name) / checks;
    if (OPERATIONS.test(name)) operations += net(name) / checks;
  }
  return {
    variant: cost.variant,
    scenario: cost.scenario,
    checks,
    operations,
    counters,
    bytesRead: net('bytes_read') / checks,
    bytesWritten: net('bytes_written') / checks,
    cpuUsec: ((net('rusage_user') + net('rusage_system')) * 1e6) / checks,
  };
}
