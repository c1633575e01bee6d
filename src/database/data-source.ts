/**
 * The TypeORM CLI's DataSource, run from the build:
 * `typeorm migration:run -d dist/src/database/data-source.js`. Reads `DATABASE_URL` (a
 * PostgreSQL server) or else `PGLITE_DATA_DIR` (embedded PGlite, `./data/` by default).
 */
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options.js';

/** The DataSource the TypeORM CLI loads; the same options as the app's. */
export default new DataSource(
  buildDataSourceOptions({
    databaseUrl: process.env.DATABASE_URL,
    pgliteDataDir: process.env.PGLITE_DATA_DIR,
  }),
);
