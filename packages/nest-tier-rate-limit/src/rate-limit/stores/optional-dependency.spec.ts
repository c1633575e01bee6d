import * as ioredis from 'ioredis';
import Memcached from 'memcached';
import { loadOptionalDependency } from './optional-dependency.js';

describe('loadOptionalDependency', () => {
  it('names the package to install and the store that needs it when it is absent', () => {
    let thrown: unknown;
    try {
      loadOptionalDependency('rate-limit-no-such-package', 'redis');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(
      'The redis rate-limit store needs the "rate-limit-no-such-package" package: ' +
        'npm install rate-limit-no-such-package',
    );
  });

  it('keeps failing, with the same message, while the package is still absent', () => {
    const load = () => loadOptionalDependency('rate-limit-no-such-package', 'memcached');
    const message =
      'The memcached rate-limit store needs the "rate-limit-no-such-package" package: ' +
      'npm install rate-limit-no-such-package';
    expect(load).toThrow(message);
    expect(load).toThrow(message);
  });

  it('loads a present package once: every call returns the module an import gets', () => {
    const first = loadOptionalDependency<typeof ioredis>('ioredis', 'redis');
    const second = loadOptionalDependency<typeof ioredis>('ioredis', 'redis');
    expect(second).toBe(first);
    // The same class as a static import, so `instanceof` holds for clients made either way.
    expect(first.Redis).toBe(ioredis.Redis);
  });

  it('loads memcached, whose CommonJS export is its class, as that class', () => {
    expect(loadOptionalDependency<typeof Memcached>('memcached', 'memcached')).toBe(Memcached);
  });
});
