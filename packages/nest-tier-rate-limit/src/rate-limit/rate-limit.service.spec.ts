import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { Clock } from './clock.js';
import { resolveRateLimitOptions } from './rate-limit-options.resolve.js';
import type { RateLimitModuleOptions } from './rate-limit-options.js';
import { RateLimitService } from './rate-limit.service.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';
import { RateLimitStore } from './stores/rate-limit-store.js';

/** A custom store as a user writes one: the fixed window only (it lists no other algorithm). */
class FixedOnlyStore extends RateLimitStore {
  readonly name = 'fixed-only';
  calls = 0;
  private readonly inner = new MemoryRateLimitStore();
  incrementAndCheck(key: string, limit: number, period: number) {
    this.calls += 1;
    return this.inner.incrementAndCheck(key, limit, period);
  }
  getCount(key: string) {
    return this.inner.getCount(key);
  }
  reset(key: string) {
    return this.inner.reset(key);
  }
  resetPattern(pattern: string) {
    return this.inner.resetPattern(pattern);
  }
  ping() {
    return this.inner.ping();
  }
}

/** A memory store whose backend can be switched off; counts the calls that reach it. */
class SwitchableStore extends MemoryRateLimitStore {
  down = false;
  calls = 0;
  override incrementAndCheck(key: string, limit: number, period: number) {
    this.calls += 1;
    if (this.down) return Promise.reject(new Error('backend down'));
    return super.incrementAndCheck(key, limit, period);
  }
}

describe('RateLimitService', () => {
  let store: SwitchableStore;
  let time: number;
  const clock: Clock = { now: () => time };
  const serviceWith = (options: Omit<RateLimitModuleOptions, 'store'> = {}) =>
    new RateLimitService(store, resolveRateLimitOptions({ store, clock, ...options }));
  const check = { key: 'k', limit: 3, period: 60 };

  beforeEach(() => {
    time = 1_000_000;
    store = new SwitchableStore({ clock });
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('turns a hit into a decision with whole seconds', async () => {
    const service = serviceWith();
    const once = { key: 'k', limit: 1, period: 30 };
    expect(await service.incrementAndCheck(once)).toEqual({
      allowed: true,
      limit: 1,
      remaining: 0,
      resetSeconds: 30,
      retryAfterSeconds: 0,
      degraded: false,
      source: 'store',
    });
    expect(await service.incrementAndCheck(once)).toMatchObject({
      allowed: false,
      retryAfterSeconds: 30,
    });
  });

  it('counts with the algorithm a check names', async () => {
    const service = new RateLimitService(
      new MemoryRateLimitStore({ clock }),
      resolveRateLimitOptions({ clock }),
    );
    const gcra = { key: 'g', limit: 2, period: 60, algorithm: 'gcra', burst: 1 } as const;
    expect(await service.incrementAndCheck(gcra)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await service.incrementAndCheck(gcra)).toMatchObject({
      allowed: false,
      retryAfterSeconds: 30,
    });
  });

  it('follows the failure mode for an algorithm its store lists not, and keeps the circuit closed', async () => {
    const fixedOnly = new FixedOnlyStore();
    const service = new RateLimitService(fixedOnly, resolveRateLimitOptions({ failOpen: false }));
    for (let i = 0; i < 10; i += 1)
      expect(
        await service.incrementAndCheck({ ...check, algorithm: 'sliding-window' }),
      ).toMatchObject({
        allowed: false,
        degraded: true,
        source: 'policy',
      });
    expect(fixedOnly.calls).toBe(0);
    expect(service.circuitOpen).toBe(false);
    expect(await service.incrementAndCheck(check)).toMatchObject({
      allowed: true,
      source: 'store',
    });
  });

  it('follows failOpen when the backend fails', async () => {
    store.down = true;
    expect(await serviceWith({ failOpen: true }).incrementAndCheck(check)).toMatchObject({
      allowed: true,
      degraded: true,
      source: 'policy',
    });
    expect(await serviceWith({ failOpen: false }).incrementAndCheck(check)).toMatchObject({
      allowed: false,
      degraded: true,
      source: 'policy',
      retryAfterSeconds: 1,
    });
  });

  it('lets failureMode win over failOpen', async () => {
    store.down = true;
    const closed = serviceWith({ failOpen: true, failureMode: 'closed' });
    expect((await closed.incrementAndCheck(check)).allowed).toBe(false);
    const open = serviceWith({ failOpen: false, failureMode: 'open' });
    expect((await open.incrementAndCheck(check)).allowed).toBe(true);
  });

  it('applies a per-call failure mode to that call only', async () => {
    store.down = true;
    const service = serviceWith({ failOpen: true });
    expect((await service.incrementAndCheck({ ...check, failOpen: false })).allowed).toBe(false);
    expect((await service.incrementAndCheck({ ...check, failureMode: 'closed' })).allowed).toBe(
      false,
    );
    expect((await service.incrementAndCheck(check)).allowed).toBe(true);
    const closed = serviceWith({ failOpen: false });
    expect((await closed.incrementAndCheck({ ...check, failOpen: true })).allowed).toBe(true);
    expect((await closed.incrementAndCheck(check)).allowed).toBe(false);
  });

  it('keeps limiting in local mode while the backend is down, then returns to it', async () => {
    const service = serviceWith({ failureMode: 'local' });
    expect(await service.incrementAndCheck(check)).toMatchObject({ source: 'store', remaining: 2 });
    store.down = true;
    const local = [];
    for (let i = 0; i < 4; i++) local.push(await service.incrementAndCheck(check));
    expect(local.map((d) => [d.source, d.allowed, d.remaining])).toEqual([
      ['local', true, 2],
      ['local', true, 1],
      ['local', true, 0],
      ['local', false, 0],
    ]);
    // A locally refused caller gets real counts and a real wait, not the precautionary answer.
    expect(local[3]).toMatchObject({ degraded: false, retryAfterSeconds: 60, resetSeconds: 60 });
    store.down = false;
    time += 1000; // past the circuit's cool-down
    expect(await service.incrementAndCheck(check)).toMatchObject({ source: 'store', remaining: 1 });
  });

  it('opens the circuit after consecutive failures and stops calling the backend', async () => {
    const service = serviceWith({ circuitBreaker: { failureThreshold: 3, cooldownMs: 500 } });
    store.down = true;
    for (let i = 0; i < 10; i++) await service.incrementAndCheck(check);
    expect(store.calls).toBe(3);
    expect(service.circuitOpen).toBe(true);

    // After the cool-down exactly one probe goes out; it fails, so the circuit opens again.
    time += 500;
    await Promise.all([1, 2, 3].map(() => service.incrementAndCheck(check)));
    expect(store.calls).toBe(4);
    for (let i = 0; i < 5; i++) await service.incrementAndCheck(check);
    expect(store.calls).toBe(4);

    // The backend is back: the next probe closes the circuit and every check counts again.
    store.down = false;
    time += 500;
    expect(await service.incrementAndCheck(check)).toMatchObject({ source: 'store' });
    expect(service.circuitOpen).toBe(false);
    await service.incrementAndCheck(check);
    expect(store.calls).toBe(6);
  });

  it('never opens the circuit with a threshold of 0', async () => {
    const service = serviceWith({ circuitBreaker: { failureThreshold: 0 } });
    store.down = true;
    for (let i = 0; i < 20; i++) await service.incrementAndCheck(check);
    expect(store.calls).toBe(20);
    expect(service.circuitOpen).toBe(false);
  });

  it('answers at once from the memory store, and with a promise from an overridden one', async () => {
    const memory = new MemoryRateLimitStore({ clock });
    const options = resolveRateLimitOptions({ store: memory, clock });
    const direct = new RateLimitService(memory, options).check(check);
    expect(direct).toMatchObject({ allowed: true, remaining: 2, source: 'store' });
    // SwitchableStore overrides incrementAndCheck: the service must go through it.
    const overridden = serviceWith().check(check);
    expect(overridden).toBeInstanceOf(Promise);
    expect(await overridden).toMatchObject({ allowed: true, remaining: 2 });
    expect(store.calls).toBe(1);
  });

  it('turns a store that throws instead of rejecting into the failure mode', () => {
    const throwing = new MemoryRateLimitStore({ clock });
    throwing.countNow = () => {
      throw new Error('broken');
    };
    const options = resolveRateLimitOptions({ store: throwing, clock, failOpen: false });
    expect(new RateLimitService(throwing, options).check(check)).toMatchObject({
      allowed: false,
      source: 'policy',
    });
  });

  it('reports the backend health', async () => {
    expect(await serviceWith().health()).toEqual({ backend: 'memory', status: 'up' });
  });
});
