import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { resolveRateLimitOptions } from './rate-limit-options.resolve.js';
import { RateLimitService } from './rate-limit.service.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';

/** A memory store whose backend can be switched off, to exercise the failure policy. */
class SwitchableStore extends MemoryRateLimitStore {
  down = false;
  override incrementAndCheck(key: string, limit: number, period: number) {
    if (this.down) return Promise.reject(new Error('backend down'));
    return super.incrementAndCheck(key, limit, period);
  }
}

describe('RateLimitService', () => {
  let store: SwitchableStore;
  const serviceWith = (failOpen: boolean) =>
    new RateLimitService(store, resolveRateLimitOptions({ store, failOpen }));

  beforeEach(() => {
    store = new SwitchableStore();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('turns a hit into a decision with whole seconds', async () => {
    const service = serviceWith(true);
    const check = { key: 'k', limit: 1, period: 30 };
    expect(await service.incrementAndCheck(check)).toEqual({
      allowed: true,
      limit: 1,
      remaining: 0,
      resetSeconds: 30,
      retryAfterSeconds: 0,
      degraded: false,
    });
    expect(await service.incrementAndCheck(check)).toMatchObject({
      allowed: false,
      retryAfterSeconds: 30,
    });
  });

  it('follows the module policy when the backend fails', async () => {
    store.down = true;
    const check = { key: 'k', limit: 5, period: 60 };
    expect(await serviceWith(true).incrementAndCheck(check)).toMatchObject({
      allowed: true,
      degraded: true,
    });
    expect(await serviceWith(false).incrementAndCheck(check)).toMatchObject({
      allowed: false,
      degraded: true,
      retryAfterSeconds: 1,
    });
  });

  it('applies a per-call failOpen to that call only', async () => {
    store.down = true;
    const service = serviceWith(true);
    const check = { key: 'k', limit: 5, period: 60 };
    expect((await service.incrementAndCheck({ ...check, failOpen: false })).allowed).toBe(false);
    expect((await service.incrementAndCheck(check)).allowed).toBe(true);
    const closed = serviceWith(false);
    expect((await closed.incrementAndCheck({ ...check, failOpen: true })).allowed).toBe(true);
    expect((await closed.incrementAndCheck(check)).allowed).toBe(false);
  });

  it('reports the backend health', async () => {
    expect(await serviceWith(true).health()).toEqual({ backend: 'memory', status: 'up' });
  });
});
