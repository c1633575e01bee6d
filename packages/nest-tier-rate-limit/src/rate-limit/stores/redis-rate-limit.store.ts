import type { OnApplicationShutdown } from '@nestjs/common';
import type { ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { Clock } from '../clock.js';
import { FIXED_WINDOW_SCRIPT } from './fixed-window.lua.js';
import {
  type RateLimitAlgorithm,
  RATE_LIMIT_ALGORITHMS,
  type RateLimitCounting,
} from '../algorithms/rate-limit-algorithm.js';
import { GCRA_SCRIPT } from './gcra.lua.js';
import {
  closeRedis,
  connect,
  isCluster,
  type RedisConnection,
  SCRIPT_COMMAND,
} from './redis-connection.js';
import {
  countPoliciesOn,
  definePolicyScripts,
  type PolicyScriptClient,
  refundPoliciesOn,
  textHit,
} from './redis-policies.js';
import { SLIDING_WINDOW_SCRIPT } from './sliding-window.lua.js';
import {
  fixedWindowHit,
  type RateLimitCounted,
  type RateLimitHit,
  type RateLimitPolicyCheck,
  RateLimitStore,
} from './rate-limit-store.js';

/** A Redis Cluster to count in: where to find it, and ioredis' own options for it. */
export interface RedisClusterConnection {
  /**
   * Some of its nodes (`'10.0.0.5:7000'` or `{ host, port }`); the others are found from them.
   * @example [{ host: 'redis-1.internal', port: 7000 }, { host: 'redis-2.internal', port: 7000 }]
   */
  nodes: readonly ClusterNode[];
  /**
   * ioredis `ClusterOptions`, over the store's: no offline queue, no resend of a command whose
   * connection closed, `CLUSTERDOWN` failing at once, the slot map refreshed (beside every 5 s) on
   * a node's error. `redisOptions` are merged over the store's per-node options.
   * @default {}
   */
  options?: ClusterOptions;
}

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /**
   * An existing ioredis client (`Redis` or `Cluster`), used as is (its own options apply) and
   * never disconnected by the store. When set, every connection option below is ignored.
   * @default a connection made from the options below
   */
  client?: RedisConnection;
  /**
   * Counts in a Redis Cluster: each caller's keys share a hash tag (`ratelimit:{user:42}:…`),
   * so one check is one script on one shard. Wins over `url`, `sentinels`, `host` and `port`;
   * `db` does not apply (a cluster has database 0 only); `password` is every node's.
   * @default unset: one server
   */
  cluster?: RedisClusterConnection;
  /**
   * Sentinels to ask for the master of `sentinelName` (ioredis `sentinels`): the store follows a
   * failover to the promoted replica by itself. `password` and `db` are the master's. Wins over
   * `url`, `host` and `port`.
   * @default unset: one server
   * @example [{ host: 'sentinel-1.internal', port: 26379 }, { host: 'sentinel-2.internal', port: 26379 }]
   */
  sentinels?: readonly { host: string; port: number }[];
  /** The master group the sentinels watch (`sentinel monitor <name> …`); needed with `sentinels`. */
  sentinelName?: string;
  /** @default unset (sentinels without AUTH) */
  sentinelPassword?: string;
  /**
   * `redis://` or `rediss://` URL; overrides `host`, `port`, `db` and `password` when set.
   * @default unset
   * @example 'redis://:secret@redis.internal:6379/1'
   */
  url?: string;
  /** @default 'localhost' */
  host?: string;
  /** @default 6379 */
  port?: number;
  /** Database index. @default 1 */
  db?: number;
  /** @default unset (no AUTH) */
  password?: string;
  /** Time allowed to open a TCP connection, in milliseconds. @default 5000 */
  connectTimeoutMs?: number;
  /**
   * Connections opened and used round-robin; one is enough for most apps. A cluster client
   * is always one: it holds a connection to every node already.
   * @default 1
   */
  poolSize?: number;
  /** Time allowed to each command before it fails, in milliseconds. @default 250 */
  timeoutMs?: number;
  /**
   * For tests only: the time (ms) the GCRA and sliding-window scripts count at, instead of Redis
   * `TIME` (never in production: processes' clocks differ). Fixed windows still follow Redis'
   * clock, which their expiry runs on.
   * @default unset (Redis `TIME`)
   */
  clock?: Clock;
}

const PENDING = new Set(['wait', 'connecting', 'connect']);
/** A cluster node's connection a call can go to now: connected, or lazy (it connects then). */
const takesCalls = (connection: Redis) =>
  connection.status === 'ready' || connection.status === 'wait';

/** Connections to open: `poolSize` of one server, one cluster client. */
const poolSizeOf = (options: RedisRateLimitStoreOptions) =>
  options.cluster !== undefined ? 1 : Math.max(1, options.poolSize ?? 1);

type ScriptCommand = (key: string, seconds: number) => Promise<unknown>;
type ScriptClient = PolicyScriptClient &
  Record<typeof SCRIPT_COMMAND, ScriptCommand> &
  Record<typeof GCRA_COMMAND | typeof SLIDING_WINDOW_COMMAND, TextScriptCommand>;
type TextScriptCommand = (key: string, ...args: number[]) => Promise<unknown>;

const GCRA_COMMAND = 'rateLimitGcra';
const SLIDING_WINDOW_COMMAND = 'rateLimitSlidingWindow';
const NO_TIME: number[] = [];

/**
 * Fixed-window counters in Redis, shared by every process using the same database.
 *
 * Each check is one round trip: a Lua script (INCR, PEXPIRE on a new window, PTTL) run with
 * EVALSHA, falling back to EVAL when Redis has lost its script cache. Connections it makes write
 * each check at once (no auto-pipelining: deferring a write to share it with others cost more
 * than it saved at 1 to 256 checks in flight, measured in bench:micro), fail a call at once while
 * Redis is unreachable (no offline queue), bound every command by `timeoutMs`, and reconnect
 * forever in the background, so the store recovers by itself.
 *
 * Needs the optional peer dependency `ioredis` (`npm install ioredis`), loaded on construction
 * unless a `client` is given.
 *
 * Several policies, costs and refunds ({@link countPolicies}, {@link refundPolicies}) are one
 * script call each, over every key at once: a request's keys share a hash tag (`{user:42}`), so
 * they share a Redis Cluster slot.
 */
export class RedisRateLimitStore extends RateLimitStore implements OnApplicationShutdown {
  readonly name = 'redis';
  private readonly clients: ScriptClient[];
  private readonly owned: boolean;
  private readonly timeoutMs: number;
  private readonly readyWaits = new Map<RedisConnection, Promise<void>>();
  /** Clusters whose every master has been connected once. */
  private readonly warmClusters = new WeakSet<RedisConnection>();
  private cursor = 0;
  private readonly clock: Clock | undefined;
  /** Set on shutdown: later calls reject at once instead of meeting a half-closed socket. */
  private closed = false;

  /** @throws Error naming the package to install when `ioredis` is needed and absent */
  constructor(options: RedisRateLimitStoreOptions = {}) {
    super();
    this.timeoutMs = options.timeoutMs ?? 250;
    this.owned = options.client === undefined;
    if (options.sentinels !== undefined && options.sentinelName === undefined)
      throw new Error('RedisRateLimitStore option sentinels needs sentinelName');
    this.clock = options.clock;
    const clients =
      options.client !== undefined
        ? [options.client]
        : Array.from({ length: poolSizeOf(options) }, () => connect(options));
    for (const client of clients) {
      client.defineCommand(SCRIPT_COMMAND, { numberOfKeys: 1, lua: FIXED_WINDOW_SCRIPT });
      client.defineCommand(GCRA_COMMAND, { numberOfKeys: 1, lua: GCRA_SCRIPT });
      client.defineCommand(SLIDING_WINDOW_COMMAND, { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
      definePolicyScripts(client);
    }
    this.clients = clients as ScriptClient[];
  }

  override get algorithms(): readonly RateLimitAlgorithm[] {
    return RATE_LIMIT_ALGORITHMS;
  }

  async incrementAndCheck(
    key: string,
    limit: number,
    seconds: number,
    counting?: RateLimitCounting,
  ): Promise<RateLimitHit> {
    const client = this.next();
    if (this.pending(client)) await this.readyOrTimeout(client);
    if (counting?.algorithm === 'gcra') {
      const burst = counting.burst ?? limit;
      return textHit(await client[GCRA_COMMAND](key, limit, seconds, burst, ...this.time()));
    }
    if (counting?.algorithm === 'sliding-window')
      return textHit(await client[SLIDING_WINDOW_COMMAND](key, limit, seconds, ...this.time()));
    const reply: unknown = await client[SCRIPT_COMMAND](key, seconds);
    if (!Array.isArray(reply) || reply.length !== 2 || !reply.every(Number.isInteger)) {
      throw new Error(`Unexpected Redis rate-limit script reply: ${JSON.stringify(reply)}`);
    }
    const [count, pttl] = reply as [number, number];
    return fixedWindowHit(count, limit, Math.max(0, pttl));
  }

  /**
   * Every policy decided and counted in one atomic script call (`POLICIES_COUNT_SCRIPT`), one
   * round trip, with the semantics of {@link MemoryRateLimitStore.countPolicies}.
   */
  protected override countSeveral(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
  ): Promise<RateLimitHit[]> {
    return this.client().then((client) =>
      countPoliciesOn(client, policies, cost, this.clock?.now()),
    );
  }

  /**
   * Gives `amount` units back on every policy in one atomic script call, one round trip: a
   * second script (`POLICIES_REFUND_SCRIPT`) rather than a mode of the counting one, so that each
   * stays short and a refund sends no cost, a count no windows. Semantics of
   * {@link MemoryRateLimitStore.refundPolicies}; a fixed or sliding window whose hit has no
   * `window` gives nothing back. Needs Redis 6.0 or later (`SET … KEEPTTL`).
   */
  override refundPolicies(
    policies: readonly RateLimitPolicyCheck[],
    hits: readonly RateLimitCounted[],
    amount: number,
  ): Promise<RateLimitHit[]> {
    return this.client().then((client) =>
      refundPoliciesOn(client, policies, hits, amount, this.clock?.now()),
    );
  }

  async getCount(key: string): Promise<number> {
    const value = await (await this.client()).get(key);
    if (value === null) return 0;
    const count = Number(value);
    if (!Number.isInteger(count)) throw new Error(`Redis key ${key} does not hold a counter`);
    return count;
  }

  async reset(key: string): Promise<void> {
    await (await this.client()).del(key);
  }

  async resetPattern(pattern: string): Promise<number> {
    const client = await this.client();
    // Only `*` and `?` are wildcards, as in the memory store: Redis would also read `[` and `\`.
    const match = pattern.replace(/[[\]\\]/g, '\\$&');
    if (!isCluster(client)) return removeMatching(client, match, (keys) => client.unlink(...keys));
    // Every master holds some slots; a key at a time, as keys of one node may be in many slots.
    const unlink = async (keys: string[]) =>
      (await Promise.all(keys.map((key) => client.unlink(key)))).reduce((a, b) => a + b, 0);
    const counts = await Promise.all(
      client.nodes('master').map((node) => removeMatching(node, match, unlink)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async ping(): Promise<void> {
    await (await this.client()).ping();
  }

  /**
   * A new connection with the options of the store's own (ioredis `duplicate()`), for work that
   * cannot share one: a pub/sub subscriber, say. The caller owns it: it listens for `error` and
   * closes it (`quit()`). It counts in no pool and the store never uses it.
   * @param overrides options that differ from the store's connection
   * @throws Error when the store is closed
   * On a cluster, the overrides apply to the cluster client (its `redisOptions` stay the store's).
   * @example const subscriber = store.duplicateConnection({ autoResubscribe: false });
   */
  duplicateConnection(overrides: Partial<RedisOptions> = {}): RedisConnection {
    const client = this.next();
    return isCluster(client) ? client.duplicate(undefined, overrides) : client.duplicate(overrides);
  }

  /**
   * Closes the connections it opened, never a client passed in. Nest calls it after the HTTP
   * server has closed, so that requests still in flight at shutdown are counted.
   */
  async onApplicationShutdown(): Promise<void> {
    if (!this.owned) return;
    this.closed = true;
    await Promise.all(this.clients.map(closeRedis));
  }

  /** The time passed to the scripts: none (Redis `TIME`) unless a test set a clock. */
  private time(): number[] {
    return this.clock === undefined ? NO_TIME : [this.clock.now()];
  }

  /** The next connection round-robin, once connected (waiting at most `timeoutMs`). */
  private async client(): Promise<ScriptClient> {
    const client = this.next();
    if (this.pending(client)) await this.readyOrTimeout(client);
    return client;
  }

  /** The next connection round-robin, connected or not (the check path avoids an extra await). */
  private next(): ScriptClient {
    if (this.closed) throw new Error('The Redis rate-limit store is closed');
    const client = this.clients[this.cursor];
    this.cursor = (this.cursor + 1) % this.clients.length;
    return client;
  }

  /**
   * Whether a call on `client` should wait for it to connect: while it opens, and, for a cluster
   * just opened, while a master's connection is still opening (the cluster refuses a call to a
   * node connecting, having no offline queue; a lazy node, `wait`, takes one). Once a wait has
   * ended, however it ended, a node down fails its calls at once instead.
   */
  private pending(client: RedisConnection): boolean {
    if (PENDING.has(client.status)) return true;
    if (!isCluster(client) || this.warmClusters.has(client)) return false;
    if (client.status === 'ready' && client.nodes('master').every(takesCalls))
      this.warmClusters.add(client);
    return !this.warmClusters.has(client);
  }

  // Without this wait, a call made just after start-up would fail while the connection opens.
  private readyOrTimeout(client: RedisConnection): Promise<void> {
    let wait = this.readyWaits.get(client);
    if (wait === undefined) {
      if (client.status === 'wait') client.connect().catch(() => undefined);
      wait = new Promise<void>((resolve) => {
        const check = () => {
          if (!this.pending(client)) done();
        };
        // A cluster closes and retries while it starts: only the timer ends its wait early.
        const closed = isCluster(client) ? () => undefined : () => done();
        const nodes: Redis[] = [];
        const watchNode = (node: Redis) => nodes.push(node.on('ready', check));
        const done = () => {
          clearTimeout(timer);
          if (isCluster(client) && client.status === 'ready') this.warmClusters.add(client);
          client.off('ready', check).off('close', closed).off('+node', watchNode);
          for (const node of nodes) node.off('ready', check);
          this.readyWaits.delete(client);
          resolve();
        };
        const timer = setTimeout(done, this.timeoutMs);
        client.on('ready', check).on('close', closed).on('+node', watchNode);
        if (isCluster(client)) client.nodes('all').forEach(watchNode);
      });
      this.readyWaits.set(client, wait);
    }
    return wait;
  }
}

/** Unlinks the keys of one server that match `match` (SCAN), returning how many were removed. */
async function removeMatching(
  server: Redis,
  match: string,
  unlink: (keys: string[]) => Promise<number>,
): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [nextCursor, keys] = await server.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    if (keys.length > 0) removed += await unlink(keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  return removed;
}
