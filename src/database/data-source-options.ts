import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSourceOptions, Logger } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { migrations } from '../../migrations/index.js';
import { rateLimitEntities } from 'nest-tier-rate-limit/rules';

/** The PGlite data directory used when neither `DATABASE_URL` nor a directory is given. */
export const DEFAULT_PGLITE_DATA_DIR = './data/';

/** The PGlite "directory" that keeps the database in memory, gone when it is closed. */
export const PGLITE_IN_MEMORY = 'memory://';

/** Longest wait to open a PostgreSQL connection or get one from the pool, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Longest wait for one PostgreSQL query's answer, in milliseconds (client side). */
export const QUERY_TIMEOUT_MS = 10_000;

/** Where the database is: the settings {@link buildDataSourceOptions} reads. */
export interface DatabaseSettings {
  /**
   * A PostgreSQL server (`postgres://user:password@host:5432/db`), through `pg`. When unset, the
   * embedded PGlite database is used.
   */
  databaseUrl?: string;
  /**
   * PGlite's data directory, created when missing; {@link PGLITE_IN_MEMORY} (`memory://`) keeps
   * the database in memory. Ignored when `databaseUrl` is set.
   * @default './data/'
   */
  pgliteDataDir?: string;
  /** A TypeORM logger; TypeORM's default (errors only, to the console) when unset. */
  logger?: Logger;
}

/**
 * The one set of TypeORM options for the app, the TypeORM CLI and the scripts: PostgreSQL
 * through `pg` when `databaseUrl` is set, else PGlite through `typeorm-pglite`. Entities and
 * migrations are imported classes (no globs), so the same options work from the build and under
 * Jest; `synchronize` is off, the schema comes from the migrations only.
 *
 * PGlite caveat: `typeorm-pglite` keeps one PGlite instance per process. Building PGlite
 * options sets that instance's directory (for the next connection); destroying any DataSource
 * on PGlite closes it. Use one PGlite DataSource at a time.
 * @example new DataSource(buildDataSourceOptions({ pgliteDataDir: 'memory://' }))
 */
export function buildDataSourceOptions(settings: DatabaseSettings = {}): DataSourceOptions {
  const shared = {
    type: 'postgres' as const,
    entities: rateLimitEntities,
    migrations,
    synchronize: false,
    ...(settings.logger && { logger: settings.logger }),
  };
  if (settings.databaseUrl) {
    return {
      ...shared,
      url: settings.databaseUrl,
      // A server that accepts connections but never answers must not hold requests forever:
      // opening a connection (or waiting for a pooled one) and each query are bounded.
      connectTimeoutMS: CONNECT_TIMEOUT_MS,
      extra: { query_timeout: QUERY_TIMEOUT_MS },
    };
  }
  const dataDir = pgliteDataDir(settings.pgliteDataDir ?? DEFAULT_PGLITE_DATA_DIR);
  return { ...shared, driver: new PGliteDriver({ dataDir }).driver };
}

/** `memory://` as is; a directory made absolute (cwd-relative) and created when missing. */
function pgliteDataDir(dir: string): string {
  if (dir.startsWith(PGLITE_IN_MEMORY)) return dir;
  const absolute = resolve(dir.replace(/^file:\/\//, ''));
  mkdirSync(absolute, { recursive: true });
  return absolute;
}
