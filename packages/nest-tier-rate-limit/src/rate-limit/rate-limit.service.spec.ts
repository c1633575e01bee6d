import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import type { Clock } from './clock.js';
import { resolveRateLimitOptions } from './rate-limit-options.resolve.js';
import type { RateLimitModuleOptions } from './rate-limit-options.js';
import { RateLimitService } from './rate-limit.service.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';
import type { MaybePromise } from './maybe-promise.js';
import {
  type RateLimitHit,
  type RateLimitPolicyCheck,
  RateLimitStore,
} from './stores/rate-limit-store.js';

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
    const decision = await service.incrementAndCheck(once);
    expect(decision).toMatchObject({
      policy: once,
      allowed: true,
      limit: 1,
      remaining: 0,
      resetSeconds: 30,
      retryAfterSeconds: 0,
      degraded: false,
      source: 'store',
      cost: 1,
    });
    // One policy: the decision is its own and only state.
    expect(decision.policies).toEqual([decision]);
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

  it('lets a lone shadow policy through when it would refuse, saying so in its state', async () => {
    const service = serviceWith();
    const shadow = { ...check, limit: 1, shadow: true };
    expect((await service.incrementAndCheck(shadow)).allowed).toBe(true);
    const over = await service.incrementAndCheck(shadow);
    expect(over).toMatchObject({ allowed: true, retryAfterSeconds: 0, cost: 0, remaining: 0 });
    expect(over.policies).toHaveLength(1);
    expect(over.policies[0]).toMatchObject({ allowed: false, remaining: 0 });
    expect(over.policies[0].retryAfterSeconds).toBeGreaterThan(0);
  });

  it('never refuses a shadow policy as a precaution either', async () => {
    store.down = true;
    const service = serviceWith({ failureMode: 'closed' });
    expect((await service.incrementAndCheck({ ...check, shadow: true })).allowed).toBe(true);
    expect((await service.incrementAndCheck(check)).allowed).toBe(false);
  });

  it('reports the backend health', async () => {
    expect(await serviceWith().health()).toEqual({ backend: 'memory', status: 'up' });
  });
});

describe('RateLimitService with several policies', () => {
  let time: number;
  const clock: Clock = { now: () => time };
  const memoryService = () =>
    new RateLimitService(new MemoryRateLimitStore({ clock }), resolveRateLimitOptions({ clock }));
  const burst = { key: 'r:{c}:burst', limit: 2, period: 1 };
  const sustained = { key: 'r:{c}:hour', limit: 5, period: 3600 };

  beforeEach(() => {
    time = 5_000_000;
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts a refusal on none of them: the long window keeps what the short one refused', async () => {
    const service = memoryService();
    const passed = async (count: number) => {
      const decisions = [];
      for (let i = 0; i < count; i += 1)
        decisions.push(await service.incrementAndCheck([burst, sustained]));
      return decisions.filter((decision) => decision.allowed).length;
    };
    expect(await passed(12)).toBe(2);
    time += 1000;
    // Had the 10 refusals counted on the hour, it would be spent (2 + 10 > 5).
    expect(await passed(12)).toBe(2);
    time += 1000;
    expect(await passed(12)).toBe(1);
  });

  it('describes the policy with the fewest requests left and waits as long as the slowest refusal', async () => {
    const service = memoryService();
    const first = await service.incrementAndCheck([sustained, burst]);
    expect(first).toMatchObject({ allowed: true, limit: 2, remaining: 1, cost: 1 });
    expect(first.policies.map((state) => state.remaining)).toEqual([4, 1]);
    await service.incrementAndCheck([sustained, burst]);
    const refused = await service.incrementAndCheck([sustained, burst]);
    expect(refused).toMatchObject({ allowed: false, limit: 2, remaining: 0, retryAfterSeconds: 1 });
    expect(refused.cost).toBe(0);
    expect(refused.policies.map((state) => state.allowed)).toEqual([true, false]);
  });

  it('charges the cost on every policy, and refuses what does not fit without using the rest', async () => {
    const service = memoryService();
    expect(await service.incrementAndCheck([sustained], { cost: 3 })).toMatchObject({
      allowed: true,
      remaining: 2,
      cost: 3,
    });
    expect(await service.incrementAndCheck([sustained], { cost: 3 })).toMatchObject({
      allowed: false,
      remaining: 2,
    });
    expect(await service.incrementAndCheck([sustained], { cost: 2 })).toMatchObject({
      allowed: true,
      remaining: 0,
    });
  });

  it.each(['fixed-window', 'sliding-window', 'gcra'] as const)(
    'gives a %s hit back, never below zero',
    async (algorithm) => {
      const service = memoryService();
      const policy = { ...sustained, algorithm };
      const decision = await service.incrementAndCheck([policy]);
      expect(decision.remaining).toBe(4);
      const settled = await service.refund(decision);
      expect(settled).toMatchObject({ allowed: true, remaining: 5, cost: 0 });
      // A second refund of the same decision has nothing left to give.
      expect(await service.refund(settled)).toBe(settled);
      // Nor does the first decision, whose units are back already.
      expect(decision.cost).toBe(0);
      expect(await service.refund(decision)).toBe(decision);
    },
  );

  it.each(['fixed-window', 'sliding-window'] as const)(
    'gives nothing of a %s hit back to a later window',
    async (algorithm) => {
      const service = memoryService();
      const policy = { ...burst, algorithm };
      const early = await service.incrementAndCheck([policy]);
      time += 1200;
      await service.incrementAndCheck([policy]);
      await service.incrementAndCheck([policy]);
      expect(await service.refund(early)).toMatchObject({ remaining: 0 });
    },
  );

  it('gives the same units back once, however often a decision is refunded', async () => {
    const service = memoryService();
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await service.incrementAndCheck([sustained]));
    await Promise.all([service.refund(decisions[0]), service.refund(decisions[0])]);
    expect(await service.refund(decisions[0])).toMatchObject({ cost: 0 });
    // 4 counted, 1 given back: 2 of 5 left after the next one.
    expect(await service.incrementAndCheck([sustained])).toMatchObject({ remaining: 1 });
  });

  it.each([
    [[], {}, 'give at least one policy'],
    [[burst, { ...sustained, key: burst.key }], {}, 'two policies with the key "r:{c}:burst"'],
    [[burst], { cost: -3 }, 'cost must be a positive integer, got -3'],
    [[burst], { cost: 1.5 }, 'cost must be a positive integer, got 1.5'],
  ])('refuses %j with %j: %s', async (policies, options, problem) => {
    await expect(memoryService().incrementAndCheck(policies, options)).rejects.toThrow(
      `RateLimitService.incrementAndCheck: ${problem}`,
    );
  });

  it('refuses to refund a part of a unit', async () => {
    const service = memoryService();
    const decision = await service.incrementAndCheck([burst]);
    await expect(service.refund(decision, 0.5)).rejects.toThrow(
      'RateLimitService.refund: units must be a positive integer, got 0.5',
    );
  });

  it('gives back none of a GCRA hit whose units have drained, so a slow answer buys nothing', async () => {
    const service = memoryService();
    const gcra = { key: 'r:{c}:gcra', limit: 10, period: 10, algorithm: 'gcra' } as const;
    const slow = await service.incrementAndCheck([gcra]);
    time += 1500;
    // Its unit has drained; ten more fill the burst.
    for (let i = 0; i < 10; i += 1)
      expect(await service.incrementAndCheck([gcra])).toMatchObject({ allowed: true });
    expect(await service.refund(slow)).toMatchObject({ remaining: 0 });
    expect(await service.incrementAndCheck([gcra])).toMatchObject({ allowed: false });
  });

  it('never leaves the circuit probing for a list a one-policy store cannot count', async () => {
    class FlakyFixedOnly extends FixedOnlyStore {
      down = true;
      override incrementAndCheck(key: string, limit: number, period: number) {
        if (this.down) return Promise.reject(new Error('backend down'));
        return super.incrementAndCheck(key, limit, period);
      }
    }
    const store = new FlakyFixedOnly();
    const service = new RateLimitService(
      store,
      resolveRateLimitOptions({
        store,
        clock,
        circuitBreaker: { failureThreshold: 1, cooldownMs: 10 },
      }),
    );
    await service.incrementAndCheck(burst);
    expect(service.circuitOpen).toBe(true);
    store.down = false;
    time += 20;
    // The list is answered by the failure mode without taking the probe...
    expect(await service.incrementAndCheck([burst, sustained])).toMatchObject({ degraded: true });
    // ...which the next lone check uses, and the circuit closes.
    expect(await service.incrementAndCheck(burst)).toMatchObject({ degraded: false });
    expect(service.circuitOpen).toBe(false);
  });

  it('lets a store that counts one policy at a time decide by the failure mode, circuit closed', async () => {
    const store = new FixedOnlyStore();
    const service = new RateLimitService(
      store,
      resolveRateLimitOptions({ store, failOpen: false }),
    );
    for (let i = 0; i < 10; i += 1)
      expect(await service.incrementAndCheck([burst, sustained])).toMatchObject({
        allowed: false,
        degraded: true,
      });
    expect(service.circuitOpen).toBe(false);
    expect(await service.incrementAndCheck(burst)).toMatchObject({
      allowed: true,
      degraded: false,
    });
  });
});

describe('RateLimitService with the local deny cache', () => {
  /** A memory store whose answers to several policies arrive when the test lets them. */
  class HeldAnswers extends MemoryRateLimitStore {
    readonly held: (() => void)[] = [];
    hold = false;
    calls = 0;
    override countPolicies(
      policies: readonly RateLimitPolicyCheck[],
      cost: number,
      refundable: boolean,
    ): MaybePromise<RateLimitHit[]> {
      this.calls += 1;
      const hits = super.countPolicies(policies, cost, refundable) as RateLimitHit[];
      if (!this.hold) return Promise.resolve(hits);
      return new Promise((resolve) => this.held.push(() => resolve(hits)));
    }
  }
  const policy = { key: 'k', limit: 1, period: 60 };

  it('answers a known refusal without the store, and is off by default for other stores', async () => {
    const store = new HeldAnswers();
    const cached = new RateLimitService(store, resolveRateLimitOptions({ localDenyCache: true }));
    await cached.incrementAndCheck([policy]);
    await cached.incrementAndCheck([policy]);
    const calls = store.calls;
    expect((await cached.incrementAndCheck([policy])).allowed).toBe(false);
    expect(store.calls).toBe(calls);
    const plain = new RateLimitService(new HeldAnswers(), resolveRateLimitOptions({}));
    expect(plain['denyCache']).toBeUndefined();
  });

  it('does not remember a refusal the store gave before a refund made here', async () => {
    const store = new HeldAnswers();
    const limiter = new RateLimitService(store, resolveRateLimitOptions({ localDenyCache: true }));
    const first = await limiter.incrementAndCheck([policy]);
    store.hold = true;
    // Refused by the store now, its answer still on the way while the first is given back.
    const second = limiter.incrementAndCheck([policy]);
    await limiter.refund(first);
    store.held.forEach((release) => release());
    store.hold = false;
    expect((await second).allowed).toBe(false);
    expect((await limiter.incrementAndCheck([policy])).allowed).toBe(true);
  });
});
