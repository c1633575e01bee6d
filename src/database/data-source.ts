/**
 * The TypeORM CLI's DataSource, run from the build:
 * `typeorm migration:run -d dist/src/database/data-source.js`. Reads `.env` as the server does
 * (the process environment wins) and validates, as the server does, `DATABASE_URL` (a PostgreSQL
 * server) and `PGLITE_DATA_DIR` (embedded PGlite when `DATABASE_URL` is unset, `./data/` by
 * default).
 */
import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env.validation.js';
import { loadEnvFile } from '../config/load-env-file.js';
import { buildDataSourceOptions } from './data-source-options.js';

// The CLI only imports this module: `.env` must be loaded here, before the options are built.
loadEnvFile();
const { databaseUrl, pgliteDataDir } = validateEnv({
  DATABASE_URL: process.env.DATABASE_URL,
  PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR,
});

/** The DataSource the TypeORM CLI loads; the same options as the app's. */
export default new DataSource(buildDataSourceOptions({ databaseUrl, pgliteDataDir }));
