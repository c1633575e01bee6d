/** The file the demo API and its scripts read, relative to the current working directory. */
export const ENV_FILE = '.env';

/**
 * Loads `.env` into `process.env` under the process environment: a variable already set, even
 * to an empty string, keeps its value (what `process.loadEnvFile` does). No file, no change.
 * The first step of the server (`src/main.ts`), the TypeORM CLI's data source and every script,
 * so that they all read the same settings; each then validates them with `validateEnv`.
 * @param path the file to load; only tests pass another
 * @returns true when a file was loaded
 * @throws Error when the file exists but cannot be read (a directory, no permission)
 * @example loadEnvFile(); const env = validateEnv(process.env);
 */
export function loadEnvFile(path: string = ENV_FILE): boolean {
  try {
    process.loadEnvFile(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
