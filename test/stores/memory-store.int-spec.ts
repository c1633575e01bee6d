import { MemoryRateLimitStore } from '../../packages/nest-tier-rate-limit/src/rate-limit/stores/memory-rate-limit.store.js';
import { expectPoliciesAsReference } from '../support/same-policies-as-reference.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', {
  create: () => Promise.resolve(new MemoryRateLimitStore()),
  destroy: () => Promise.resolve(),
  supportsResetPattern: true,
});

describe('memory store: several policies at once', () => {
  it('counts and refunds as the reference does, shadow policies included', async () => {
    let time = 0;
    const store = new MemoryRateLimitStore({ clock: { now: () => time } });
    await expectPoliciesAsReference(store, (now) => (time = now), 200);
  });
});

describe('memory store under 1,000,000 distinct callers', () => {
  it('stays within maxKeys, evicting the oldest junk, not a refused caller', async () => {
    const maxKeys = 100_000;
    const store = new MemoryRateLimitStore({ maxKeys });
    // A caller refused before the flood, whose window is the oldest of all.
    for (let i = 0; i < 11; i += 1) await store.incrementAndCheck('ratelimit:victim:api', 10, 60);
    let largest = 0;
    for (let i = 0; i < 1_000_000; i += 1) {
      const hit = await store.incrementAndCheck(`ratelimit:attacker-${i}:api`, 10, 60);
      if (hit.count !== 1) throw new Error(`caller ${i} counted ${hit.count} on its first request`);
      if (i % 10_000 === 0) largest = Math.max(largest, store.size);
    }
    largest = Math.max(largest, store.size);
    expect(largest).toBeLessThanOrEqual(maxKeys);
    // A pass frees a tenth and no more.
    expect(store.size).toBeGreaterThan(maxKeys * 0.9);
    // The oldest junk was evicted, not the refused victim; the newest junk still holds its window.
    expect(await store.getCount('ratelimit:victim:api')).toBe(11);
    expect(await store.getCount('ratelimit:attacker-0:api')).toBe(0);
    expect(await store.getCount('ratelimit:attacker-999999:api')).toBe(1);
    for (let i = 0; i < 10; i += 1) await store.incrementAndCheck('ratelimit:user:api', 10, 60);
    await expect(store.incrementAndCheck('ratelimit:user:api', 10, 60)).resolves.toMatchObject({
      limited: true,
    });
  });
});
