import { Redis } from 'ioredis';
import {
  buildRateLimitKey,
  type RateLimitAlgorithm,
  type RateLimitPolicyCheck,
  RedisRateLimitStore,
} from 'nest-tier-rate-limit';
import { quantile } from '../stats.js';
import type { RedisStatsReader } from '../micro/redis-stats.js';

export const ALGORITHMS: readonly RateLimitAlgorithm[] = ['fixed-window', 'sliding-window', 'gcra'];

/**
 * How a request is counted: `single`, one policy through the store's fast path
 * (`countPolicies` of one policy, one unit, not refundable → `incrementAndCheck`, the per-algorithm
 * script); `one-policy`, one policy through the policies script (what a route with a cost or
 * counting only failed/successful requests sends); `three-policies`, a route's two windows and
 * the caller's total budget in one policies script.
 */
export type Shape = 'single' | 'one-policy' | 'three-policies';
export const SHAPES: readonly Shape[] = ['single', 'one-policy', 'three-policies'];

/** `allowed`: a limit never reached, callers whose keys exist; `refused`: limit 1, one caller. */
export type Outcome = 'allowed' | 'refused';
export const OUTCOMES: readonly Outcome[] = ['allowed', 'refused'];

export interface Workload {
  algorithm: RateLimitAlgorithm;
  shape: Shape;
  outcome: Outcome;
}

/** The route key path the guard builds for `GET /api/v1/widgets/1` (fallback rule, `:id` route). */
const ROUTE = 'api_v1_widgets_1#GET@api_v1_widgets_{id}';
/** Callers an `allowed` workload cycles through (each one's keys exist after the warm-up). */
export const ALLOWED_CALLERS = 1000;

export const callerId = (index: number) => `caller-${String(index).padStart(6, '0')}`;

/** The limit (and GCRA burst) of a policy of `period` seconds. */
export type Limits = (period: number) => { limit: number; burst?: number };

/**
 * A workload's limits. Refused: 1 per period. Allowed: 10⁹ per period (never reached); GCRA: one
 * per minute with bursts of 10⁹, so that a caller's cell stays ahead of the clock and its key
 * lives between its checks (at 10⁹ per period the key's TTL would be 1 ms: every check a new key).
 */
export function workloadLimits(workload: Workload): Limits {
  if (workload.outcome === 'refused') return () => ({ limit: 1 });
  if (workload.algorithm === 'gcra') return (period) => ({ limit: period / 60, burst: 1e9 });
  return () => ({ limit: 1e9 });
}

/** Memory runs: 2 per hour on every policy, so that one check keeps every key live for long. */
const MEMORY_LIMITS: Limits = () => ({ limit: 2 });
const MEMORY_PERIOD = 3600;

/**
 * The policies of one caller, keyed as the guard keys them (`ratelimit:{user:caller-000042}:…`,
 * one hash tag per caller): one route policy of 60 s, or the route at 60 s and 3,600 s
 * (`#60s`, `#3600s`, as a route with two windows gets) plus the total budget (`*`) at 3,600 s.
 * `period` replaces every policy's period when set.
 */
export function policiesOf(
  algorithm: RateLimitAlgorithm,
  shape: Shape,
  limits: Limits,
  caller: number,
  period?: number,
): RateLimitPolicyCheck[] {
  const key = (path: string) => buildRateLimitKey('ratelimit', 'user', callerId(caller), path);
  const policy = (path: string, seconds: number, name: string): RateLimitPolicyCheck => {
    const chosen = period ?? seconds;
    return { key: key(path), period: chosen, algorithm, name, ...limits(chosen) };
  };
  if (shape !== 'three-policies') return [policy(ROUTE, 60, 'route')];
  return [
    policy(`${ROUTE}#60s`, 60, 'route'),
    policy(`${ROUTE}#3600s`, 3600, 'route'),
    policy('*', 3600, 'total'),
  ];
}

/** One check of caller `index`; resolves with whether it was refused. */
export type Check = (index: number) => Promise<boolean>;

/** The checks of a workload on `store`, the policies of `callers` callers built beforehand. */
export function checker(
  store: RedisRateLimitStore,
  algorithm: RateLimitAlgorithm,
  shape: Shape,
  limits: Limits,
  callers: number,
  period?: number,
): Check {
  const policies = Array.from({ length: callers }, (_, index) =>
    policiesOf(algorithm, shape, limits, index, period),
  );
  if (shape === 'single')
    return async (index) => {
      const [{ key, limit, period: seconds, burst }] = policies[index];
      return (await store.incrementAndCheck(key, limit, seconds, { algorithm, burst })).limited;
    };
  // Refundable: a lone policy then goes through the policies script, not the fast path.
  const refundable = shape === 'one-policy';
  return async (index) =>
    (await store.countPolicies(policies[index], 1, refundable)).some((hit) => hit.limited);
}

export const workloadCallers = (workload: Workload) =>
  workload.outcome === 'allowed' ? ALLOWED_CALLERS : 1;

export function openStore(port: number, db: number, poolSize = 1): RedisRateLimitStore {
  return new RedisRateLimitStore({
    url: `redis://127.0.0.1:${port}/${db}`,
    timeoutMs: 1000,
    poolSize,
  });
}

/** Runs `checks` checks one after the other (each awaited), cycling through `callers`. */
export async function sequential(check: Check, checks: number, callers: number): Promise<number> {
  let refused = 0;
  for (let index = 0; index < checks; index += 1) if (await check(index % callers)) refused += 1;
  return refused;
}

/** Runs checks with `inFlight` awaiting at once until `next` returns undefined; counts refusals. */
async function concurrently(
  check: Check,
  inFlight: number,
  next: () => number | undefined,
  latencies?: number[],
): Promise<{ checks: number; refused: number }> {
  let checks = 0;
  let refused = 0;
  const lane = async () => {
    for (let caller = next(); caller !== undefined; caller = next()) {
      const start = performance.now();
      if (await check(caller)) refused += 1;
      latencies?.push(performance.now() - start);
      checks += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { checks, refused };
}

/** What Redis counted over one sequential pass of a workload. */
export interface ServerPass {
  checks: number;
  refused: number;
  /** `evalsha` + `eval` calls: one per check expected. */
  scriptCalls: number;
  /** `evalsha` + `eval` usec: the scripts' CPU, the commands they run included. */
  scriptUsec: number;
  /** Commands the scripts ran (Redis 7 lists them in `commandstats` too), by name. */
  inScripts: Record<string, number>;
  /** Redis' CPU over the pass (`used_cpu_sys` + `used_cpu_user`), protocol and syscalls included. */
  redisCpuSeconds: number;
  /** `total_net_input_bytes` / `total_net_output_bytes` deltas (one INFO request included). */
  bytesIn: number;
  bytesOut: number;
}

const SCRIPTS = new Set(['evalsha', 'eval']);
const ADMIN = /^(info|config|select|ping|client|hello)/;

/** `CONFIG RESETSTAT`, `checks` checks one after the other, then `INFO commandstats stats`. */
export async function serverPass(
  check: Check,
  checks: number,
  callers: number,
  stats: RedisStatsReader,
  admin: Redis,
): Promise<ServerPass> {
  await stats.reset();
  const cpuBefore = await redisCpuSeconds(admin);
  const refused = await sequential(check, checks, callers);
  const cpuAfter = await redisCpuSeconds(admin);
  const read = await stats.read();
  const inScripts: Record<string, number> = {};
  let scriptCalls = 0;
  let scriptUsec = 0;
  for (const [name, { calls, usec }] of Object.entries(read.commands)) {
    if (SCRIPTS.has(name)) {
      scriptCalls += calls;
      scriptUsec += usec;
    } else if (!ADMIN.test(name)) inScripts[name] = calls;
  }
  return {
    checks,
    refused,
    scriptCalls,
    scriptUsec,
    inScripts,
    redisCpuSeconds: cpuAfter - cpuBefore,
    bytesIn: read.netInput,
    bytesOut: read.netOutput,
  };
}

/** Sections of `INFO` as name → value. */
export async function info(client: Redis, section: string): Promise<Record<string, string>> {
  const text = String(await client.call('INFO', section));
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

async function redisCpuSeconds(admin: Redis): Promise<number> {
  const cpu = await info(admin, 'cpu');
  return Number(cpu.used_cpu_sys) + Number(cpu.used_cpu_user);
}

/** The checks/s actually reached with a pool of connections and many checks in flight. */
export interface Throughput {
  connections: number;
  inFlight: number;
  seconds: number;
  checks: number;
  refused: number;
  /** Redis' own CPU (`used_cpu_sys` + `used_cpu_user`, all its threads) over the window. */
  redisCpuSeconds: number;
  /** The scripts' usec (`commandstats`) over the same window. */
  scriptUsec: number;
  /** This process's CPU (user + system) over the window: store, ioredis and the harness. */
  clientCpuSeconds: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ThroughputOptions {
  connections: number;
  inFlight: number;
  seconds: number;
}

/**
 * `inFlight` checks awaiting at once for `seconds`, on a store of `connections` connections
 * (round-robin), against the keys a workload's warm-up made.
 */
export async function throughput(
  port: number,
  db: number,
  workload: Workload,
  options: ThroughputOptions,
  stats: RedisStatsReader,
  admin: Redis,
): Promise<Throughput> {
  const store = openStore(port, db, options.connections);
  try {
    const callers = workloadCallers(workload);
    const limits = workloadLimits(workload);
    const check = checker(store, workload.algorithm, workload.shape, limits, callers);
    return await saturate(check, callers, options, stats, admin);
  } finally {
    await store.onApplicationShutdown();
  }
}

/** A script that does nothing, called as the fixed window's fast path is: one key, one argument. */
const NULL_SCRIPT = 'return {0, 0}';

/**
 * {@link throughput} of a script that does nothing (`return {0, 0}`, EVALSHA with the fast path's
 * key and argument) on `connections` plain ioredis connections: what a round trip costs Redis
 * (reading, parsing, calling a script, replying, the syscalls) beside any counting.
 */
export async function nullThroughput(
  port: number,
  db: number,
  options: ThroughputOptions,
  stats: RedisStatsReader,
  admin: Redis,
): Promise<Throughput> {
  type NullClient = Redis & { rateLimitNull(key: string, seconds: number): Promise<unknown> };
  const clients = Array.from({ length: options.connections }, () => {
    const client = new Redis({ host: '127.0.0.1', port, db, enableAutoPipelining: false });
    client.defineCommand('rateLimitNull', { numberOfKeys: 1, lua: NULL_SCRIPT });
    return client as NullClient;
  });
  try {
    const keys = Array.from(
      { length: ALLOWED_CALLERS },
      (_, index) => policiesOf('fixed-window', 'single', () => ({ limit: 1 }), index)[0].key,
    );
    let turn = 0;
    const check: Check = async (index) => {
      turn = (turn + 1) % clients.length;
      await clients[turn].rateLimitNull(keys[index], 60);
      return false;
    };
    return await saturate(check, ALLOWED_CALLERS, options, stats, admin);
  } finally {
    await Promise.all(clients.map((client) => client.quit()));
  }
}

async function saturate(
  check: Check,
  callers: number,
  options: ThroughputOptions,
  stats: RedisStatsReader,
  admin: Redis,
): Promise<Throughput> {
  // Every connection ready and past its scripts' first EVALSHA, the refused state set.
  let warm = 0;
  await concurrently(check, options.inFlight, () =>
    warm < 4 * options.inFlight ? warm++ % callers : undefined,
  );
  const latencies: number[] = [];
  let cursor = 0;
  let deadline = 0;
  const next = () => (performance.now() < deadline ? cursor++ % callers : undefined);
  await stats.reset();
  const cpuBefore = await redisCpuSeconds(admin);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  deadline = started + options.seconds * 1000;
  const { checks, refused } = await concurrently(check, options.inFlight, next, latencies);
  const elapsed = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const cpuAfter = await redisCpuSeconds(admin);
  const read = await stats.read();
  const scriptUsec = [...SCRIPTS].reduce((sum, name) => sum + (read.commands[name]?.usec ?? 0), 0);
  return {
    connections: options.connections,
    inFlight: options.inFlight,
    seconds: elapsed,
    checks,
    refused,
    redisCpuSeconds: cpuAfter - cpuBefore,
    scriptUsec,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
}

/** Memory of `callers` distinct callers' keys of one algorithm and shape, on an empty database. */
export interface MemoryRun {
  algorithm: RateLimitAlgorithm;
  shape: Exclude<Shape, 'one-policy'>;
  callers: number;
  /** `DBSIZE` after. */
  keys: number;
  /** `used_memory` after − before. */
  usedMemoryDelta: number;
  /** `MEMORY USAGE key SAMPLES 0` of caller 0's keys, in policy order. */
  memoryUsage: number[];
  /** Script usec per check while the callers were created (every check a caller's first). */
  scriptUsecPerCheck: number;
  /** Of those, script calls per check (1 expected). */
  scriptCallsPerCheck: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `FLUSHALL`, `used_memory`, one first check for each of `callers` distinct callers (`inFlight`
 * at once, 2 per hour on every policy: nothing refused, every key live for half an hour or more), `used_memory` and `DBSIZE` again, `MEMORY USAGE` of one caller's
 * keys. Redis settles (incremental rehashing, freed client buffers) for half a second each side.
 */
export async function memoryRun(
  port: number,
  db: number,
  algorithm: RateLimitAlgorithm,
  shape: Exclude<Shape, 'one-policy'>,
  callers: number,
  inFlight: number,
  stats: RedisStatsReader,
  admin: Redis,
): Promise<MemoryRun> {
  await admin.flushall();
  const store = openStore(port, db, 4);
  try {
    const check = checker(store, algorithm, shape, MEMORY_LIMITS, callers, MEMORY_PERIOD);
    await store.ping();
    await sleep(500);
    const before = Number((await info(admin, 'memory')).used_memory);
    await stats.reset();
    let cursor = 0;
    const { refused } = await concurrently(check, inFlight, () =>
      cursor < callers ? cursor++ : undefined,
    );
    if (refused > 0) throw new Error(`${refused} refusals while filling ${algorithm} ${shape}`);
    const read = await stats.read();
    await sleep(500);
    const after = Number((await info(admin, 'memory')).used_memory);
    const keys = Number(await admin.call('DBSIZE'));
    const memoryUsage: number[] = [];
    for (const { key } of policiesOf(algorithm, shape, MEMORY_LIMITS, 0, MEMORY_PERIOD))
      memoryUsage.push(Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')));
    const scripts = [...SCRIPTS].map((name) => read.commands[name] ?? { calls: 0, usec: 0 });
    return {
      algorithm,
      shape,
      callers,
      keys,
      usedMemoryDelta: after - before,
      memoryUsage,
      scriptUsecPerCheck: scripts.reduce((sum, { usec }) => sum + usec, 0) / callers,
      scriptCallsPerCheck: scripts.reduce((sum, { calls }) => sum + calls, 0) / callers,
    };
  } finally {
    await store.onApplicationShutdown();
    await admin.flushall();
  }
}
