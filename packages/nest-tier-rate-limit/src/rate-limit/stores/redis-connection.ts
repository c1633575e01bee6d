import type * as ioredis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import { loadOptionalDependency } from './optional-dependency.js';
import type { RedisRateLimitStoreOptions } from './redis-rate-limit.store.js';

const QUIT_TIMEOUT_MS = 1000;

/** The store's script as an ioredis command. */
export const SCRIPT_COMMAND = 'rateLimitFixedWindow';

/**
 * Opens a connection for the store: no offline queue (a dead Redis fails a call at once),
 * every command bounded by `timeoutMs` and written at once, and reconnection forever with a
 * capped backoff. Loads `ioredis` on first use: a store given its own client never needs it.
 * @throws Error naming the package to install when `ioredis` is absent
 */
export function connect(options: RedisRateLimitStoreOptions): Redis {
  const { Redis: RedisClient } = loadOptionalDependency<typeof ioredis>('ioredis', 'redis');
  const common: RedisOptions = {
    connectTimeout: options.connectTimeoutMs ?? 5000,
    commandTimeout: options.timeoutMs ?? 250,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A resent script could count a request twice.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(times * 50, 1000),
    // No auto-pipelining: a check written at once lets Redis work while this process goes on;
    // deferring writes to share them was slower at every concurrency measured (bench:micro).
    enableAutoPipelining: false,
  };
  const client =
    options.url !== undefined
      ? new RedisClient(options.url, common)
      : new RedisClient({
          ...common,
          host: options.host ?? 'localhost',
          port: options.port ?? 6379,
          db: options.db ?? 1,
          password: options.password,
        });
  // Failures reach the caller through rejected calls, logged there (throttled).
  client.on('error', () => undefined);
  return client;
}

/** Quits a connection, or drops it when Redis does not answer within a second. */
export async function closeRedis(client: Redis): Promise<void> {
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
