import { createRequire } from 'node:module';

// Both client packages are CommonJS, so a synchronous require can load them from a constructor.
const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

/**
 * Loads an optional peer dependency the first time a store needs it, then returns the same
 * module on every call. Apps that never pick that store never load (or need) the package.
 * @param packageName the npm package, as `npm install` takes it
 * @param store the store that needs it, named in the error
 * @throws Error `The <store> rate-limit store needs the "<package>" package: npm install <package>`
 * when the package cannot be found; any other error the package raises while loading, as is
 * @example
 * ```ts
 * const { Redis } = loadOptionalDependency<typeof ioredis>('ioredis', 'redis');
 * ```
 */
export function loadOptionalDependency<T>(packageName: string, store: string): T {
  if (loaded.has(packageName)) return loaded.get(packageName) as T;
  try {
    require.resolve(packageName);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    const message = `The ${store} rate-limit store needs the "${packageName}" package: npm install ${packageName}`;
    throw new Error(message, { cause: error });
  }
  // Resolved: a failure from here on is the package's own, so it is not reported as missing.
  const value = require(packageName) as T;
  loaded.set(packageName, value);
  return value;
}
