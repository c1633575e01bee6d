import type Memcached from 'memcached';
import { loadOptionalDependency } from './optional-dependency.js';

/** Options of {@link MemcachedClient}. */
export interface MemcachedClientOptions {
  /** `host:port` of the server. */
  location: string;
  /** Most connections open at once. */
  poolSize: number;
  /** Time allowed to each call before it rejects, in milliseconds. */
  timeoutMs: number;
}

type Callback<T> = (error: unknown, result: T) => void;

/** A value as `gets` reads it: the value and the CAS token a later `cas` needs. */
export interface Versioned {
  value: unknown;
  cas: string;
}

/** A query of the package's query layer: the command text, and how its reply is read. */
interface Query {
  key: string;
  type: string;
  multi: boolean;
  command: string;
  callback: Callback<unknown>;
}

/** The package's query layer, under its one-key `gets` (not in its published types). */
interface QueryLayer {
  command(compile: () => Query): void;
}

/**
 * The few `memcached` calls the Memcached store needs, as promises with a deadline.
 *
 * The `memcached` package never calls back when its server dies or stalls mid-request, so every
 * call here rejects after `timeoutMs`; a callback that arrives later is ignored. The client never
 * marks the server dead: while it is down each call fails fast on its own connection attempt, and
 * the first call after it returns simply connects again.
 *
 * The `memcached` package is an optional peer dependency, loaded by the first client made.
 */
export class MemcachedClient {
  private readonly client: Memcached;
  private ended = false;

  /** @throws Error naming the package to install when `memcached` is absent */
  constructor(private readonly options: MemcachedClientOptions) {
    const MemcachedClass = loadOptionalDependency<typeof Memcached>('memcached', 'memcached');
    const settings: Memcached.options & Record<string, unknown> = {
      poolSize: options.poolSize,
      // Time to open a TCP connection; longer than one call, so a slow link still gets one.
      timeout: Math.max(1000, options.timeoutMs * 4),
      idle: 30_000,
      // A call finding every pooled connection still opening retries the pool shortly after.
      retries: 2,
      minTimeout: 20,
      maxTimeout: 100,
      remove: false,
      keyCompression: false,
    };
    const client = new MemcachedClass(options.location, settings);
    // Its issue log would mark the server dead for `retry` ms, then probe it by spawning the
    // system `ping` (an uncaught error where `ping` is missing): only close the broken socket.
    this.client = Object.assign(client, {
      connectionIssue: (_error: unknown, socket?: { end?: () => void }) => socket?.end?.(),
    });
  }

  /** Adds `by` to a numeric value: the new value, or `false` when the key is absent. */
  incr(key: string, by: number): Promise<number | false> {
    return this.call('incr', (done: Callback<number | false>) =>
      this.client.incr(key, by, (error: unknown, value: number | boolean) =>
        done(error, typeof value === 'number' ? value : false),
      ),
    );
  }

  /** Stores `value` only if `key` is absent: `false` when it already exists. */
  add(key: string, value: number | string, lifetimeSeconds: number): Promise<boolean> {
    return this.call('add', (done: Callback<boolean>) =>
      this.client.add(key, value, lifetimeSeconds, (error: unknown, stored: boolean) =>
        isNotStored(error) ? done(undefined, false) : done(error, stored),
      ),
    );
  }

  /** The value of `key` and its CAS token, `undefined` when absent. */
  gets(key: string): Promise<Versioned | undefined> {
    return this.call('gets', (done: Callback<Versioned | undefined>) =>
      this.client.gets(key, (error: unknown, data?: Record<string, unknown> & { cas: string }) =>
        done(error, data && key in data ? { value: data[key], cas: String(data.cas) } : undefined),
      ),
    );
  }

  /**
   * The values of `keys` with their CAS tokens, in one `gets` command (one round trip); a key that
   * is absent is absent from the map.
   */
  getsMulti(keys: readonly string[]): Promise<Map<string, Versioned>> {
    // The package's own `gets` takes one key: the command goes through its query layer.
    const layer = this.client as unknown as QueryLayer;
    return this.call('gets', (done: Callback<Map<string, Versioned>>) =>
      layer.command(() => ({
        key: keys[0],
        type: 'gets',
        multi: true,
        command: `gets ${keys.join(' ')}`,
        // The package empties its result array once this returns: it is read at once.
        callback: (error, result) =>
          done(error, error ? new Map<string, Versioned>() : versionsOf(result)),
      })),
    );
  }

  /** Stores `value` if `key` is unchanged since `gets` gave `cas`: `false` if it changed or went. */
  cas(key: string, value: string | number, cas: string, lifetimeSeconds: number): Promise<boolean> {
    return this.call('cas', (done: Callback<boolean>) =>
      this.client.cas(key, value, cas, lifetimeSeconds, (error: unknown, stored: boolean) =>
        isNotStored(error) ? done(undefined, false) : done(error, stored === true),
      ),
    );
  }

  /** The value of `key`, `undefined` when absent. */
  get(key: string): Promise<unknown> {
    return this.call('get', (done: Callback<unknown>) => this.client.get(key, done));
  }

  /** Deletes `key`: `false` when it was absent. */
  del(key: string): Promise<boolean> {
    return this.call('delete', (done: Callback<boolean>) => this.client.del(key, done));
  }

  /** Resolves when the server answers `version`. */
  async version(): Promise<void> {
    await this.call('version', (done: Callback<unknown>) => this.client.version(done));
  }

  /** Closes every pooled connection for good: later calls reject instead of reconnecting. */
  end(): void {
    this.ended = true;
    this.client.end();
  }

  private call<T>(operation: string, run: (done: Callback<T>) => void): Promise<T> {
    const { location, timeoutMs } = this.options;
    if (this.ended) return Promise.reject(new Error(`memcached client for ${location} is closed`));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new Error(`memcached ${operation} on ${location} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const done: Callback<T> = (error, result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === undefined || error === null) resolve(result);
        else
          reject(
            new Error(`memcached ${operation} on ${location} failed: ${errorMessage(error)}`, {
              cause: error,
            }),
          );
      };
      try {
        run(done);
      } catch (error) {
        done(error ?? 'unknown error', undefined as T);
      }
    });
  }
}

/** The package answers a multi-key `gets` with `{ [key]: value, cas }` per value found. */
function versionsOf(result: unknown): Map<string, Versioned> {
  const found = new Map<string, Versioned>();
  const items = Array.isArray(result) ? result : result === undefined ? [] : [result];
  for (const item of items as Record<string, unknown>[]) {
    const key = Object.keys(item).find((name) => name !== 'cas');
    if (key !== undefined) found.set(key, { value: item[key], cas: String(item.cas) });
  }
  return found;
}

function isNotStored(error: unknown): boolean {
  return error instanceof Error && (error as Error & { notStored?: boolean }).notStored === true;
}

function errorMessage(error: unknown): string {
  const first: unknown = Array.isArray(error) ? error[0] : error;
  return first instanceof Error ? first.message : String(first);
}
