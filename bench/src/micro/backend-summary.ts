import type { ScenarioName } from '../scenarios.js';
import { total } from '../stats.js';
import type { MemcachedCost, RedisCost } from './backend.js';

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
  const { checks, stats, exchange, clientCommands } = cost;
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
}

const OPERATIONS = /^(cmd_get|cmd_set|cmd_touch|(incr|decr|delete)_(hits|misses))$/;

/** Per-check figures from Memcached's `stats` deltas, one exchange's share subtracted. */
export function memcachedPerCheck(cost: MemcachedCost): MemcachedPerCheck {
  const { checks, deltas, exchange } = cost;
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
