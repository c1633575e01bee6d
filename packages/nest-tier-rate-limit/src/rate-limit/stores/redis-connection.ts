import type * as ioredis from 'ioredis';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { loadOptionalDependency } from './optional-dependency.js';
import type { RedisRateLimitStoreOptions } from './redis-rate-limit.store.js';

const QUIT_TIMEOUT_MS = 1000;

/** A connection to one Redis (alone or found through Sentinel), or to a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** The store's script as an ioredis command. */
export const SCRIPT_COMMAND = 'rateLimitFixedWindow';

/**
 * Opens a connection for the store: no offline queue (a dead Redis fails a call at once),
 * every command bounded by `timeoutMs` and written at once, and reconnection forever with a
 * capped backoff. A Redis Cluster when `cluster` is set, a master found through Sentinel when
 * `sentinels` is, else one server. Loads `ioredis` on first use: a store given its own client
 * never needs it.
 * @throws Error naming the package to install when `ioredis` is absent
 */
export function connect(options: RedisRateLimitStoreOptions): RedisConnection {
  const library = loadOptionalDependency<typeof ioredis>('ioredis', 'redis');
  if (options.cluster !== undefined)
    return watched(connectCluster(library, options, nodeOptions(options)));
  const common: RedisOptions = {
    ...nodeOptions(options),
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 50, 1000),
  };
  let client: RedisConnection;
  if (options.sentinels !== undefined)
    client = new library.Redis({
      ...common,
      sentinels: [...options.sentinels],
      name: options.sentinelName,
      sentinelPassword: options.sentinelPassword,
      db: options.db ?? 1,
      password: options.password,
      sentinelRetryStrategy: (times) => Math.min(times * 50, 1000),
    });
  else if (options.url !== undefined) client = new library.Redis(options.url, common);
  else
    client = new library.Redis({
      ...common,
      host: options.host ?? 'localhost',
      port: options.port ?? 6379,
      db: options.db ?? 1,
      password: options.password,
    });
  return watched(client);
}

/** `client`, whose errors reach callers through rejected calls, logged there (throttled). */
function watched<Client extends RedisConnection>(client: Client): Client {
  client.on('error', () => undefined);
  return client;
}

/** What the connections of a cluster's nodes take (ioredis sets their queue and reconnection). */
type ClusterNodeOptions = NonNullable<ClusterOptions['redisOptions']>;

/** The options of every connection to one server, the cluster's nodes included. */
function nodeOptions(options: RedisRateLimitStoreOptions): ClusterNodeOptions {
  return {
    connectTimeout: options.connectTimeoutMs ?? 5000,
    commandTimeout: options.timeoutMs ?? 250,
    maxRetriesPerRequest: 0,
    // A resent script could count a request twice.
    autoResendUnfulfilledCommands: false,
    // No auto-pipelining: a check written at once lets Redis work while this process goes on;
    // deferring writes to share them was slower at every concurrency measured (bench:micro).
    enableAutoPipelining: false,
  };
}

/**
 * A cluster client that answers within the store's timeout while a master fails: a command
 * whose connection closed is not sent again (the script may have run), nor one refused with
 * `CLUSTERDOWN` (the failure mode answers instead); `MOVED` and `ASK` are followed at once
 * (each reply comes at once: up to ioredis' 16 redirections, no wait between them).
 * A node's error refreshes the slot map (beside ioredis' own every 5 s), so that a promoted
 * replica is used as soon as a call meets the failed master.
 */
function connectCluster(
  library: typeof ioredis,
  options: RedisRateLimitStoreOptions,
  common: ClusterNodeOptions,
): Cluster {
  const { nodes, options: given = {} } = options.cluster!;
  const cluster = new library.Cluster([...nodes], {
    enableOfflineQueue: false,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 10,
    clusterRetryStrategy: (times) => Math.min(times * 50, 1000),
    ...given,
    // Nodes keep the cluster's own offline queue and reconnection (ioredis sets both).
    redisOptions: {
      ...common,
      // Each node connects as soon as the slot map names it, not on its first command.
      lazyConnect: false,
      password: options.password,
      ...given.redisOptions,
    },
  } satisfies ClusterOptions);
  cluster.on('node error', () => cluster.refreshSlotsCache());
  return cluster;
}

/** Whether `client` is a Redis Cluster client. */
export function isCluster(client: RedisConnection): client is Cluster {
  return client.isCluster;
}

/** Quits a connection, or drops it when Redis does not answer within a second. */
export async function closeRedis(client: RedisConnection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>(
    (resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS, false)),
  );
  const quit = client.quit().then(
    () => true,
    () => false,
  );
  const closed = await Promise.race([quit, late]);
  clearTimeout(timer);
  if (!closed && client.status !== 'end') client.disconnect();
}
