import { MemoryRateLimitStore } from './memory-rate-limit.store.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryRateLimitStore', () => {
  it('reports the exact time left in the window', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    expect((await store.incrementAndCheck('k', 5, 60)).resetMs).toBe(60_000);
    clock.advance(12_345);
    expect((await store.incrementAndCheck('k', 5, 60)).resetMs).toBe(47_655);
  });

  it('limits past the limit and retries after the window end', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    await store.incrementAndCheck('k', 1, 10);
    clock.advance(4_000);
    expect(await store.incrementAndCheck('k', 1, 10)).toEqual({
      count: 2,
      limited: true,
      remaining: 0,
      resetMs: 6_000,
      retryAfterMs: 6_000,
    });
  });

  it('opens a new window at the exact expiry', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    await store.incrementAndCheck('k', 1, 10);
    clock.advance(9_999);
    expect((await store.incrementAndCheck('k', 1, 10)).limited).toBe(true);
    clock.advance(1);
    expect(await store.incrementAndCheck('k', 1, 10)).toMatchObject({
      count: 1,
      limited: false,
      resetMs: 10_000,
    });
  });

  it('reads 0 for an expired window', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    await store.incrementAndCheck('k', 5, 1);
    expect(await store.getCount('k')).toBe(1);
    clock.advance(1_000);
    expect(await store.getCount('k')).toBe(0);
  });

  it('removes expired windows as new ones open', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock });
    for (let i = 0; i < 3_000; i += 1) await store.incrementAndCheck(`old-${i}`, 5, 1);
    clock.advance(2_000);
    for (let i = 0; i < 3_000; i += 1) await store.incrementAndCheck(`new-${i}`, 5, 60);
    expect(store.size).toBe(3_000);
  });

  it('never holds more than maxKeys, evicting the oldest windows', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock(), maxKeys: 1_000 });
    let largest = 0;
    for (let i = 0; i < 50_000; i += 1) {
      await store.incrementAndCheck(`caller-${i}`, 5, 3600);
      largest = Math.max(largest, store.size);
    }
    expect(largest).toBe(1_000);
    expect(await store.getCount('caller-0')).toBe(0);
    expect(await store.getCount('caller-48999')).toBe(0);
    expect(await store.getCount('caller-49999')).toBe(1);
    expect(store.size).toBeGreaterThanOrEqual(900);
  });

  it('drops expired windows before evicting live ones', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock, maxKeys: 10 });
    await store.incrementAndCheck('live-old', 5, 60);
    for (let i = 0; i < 9; i += 1) await store.incrementAndCheck(`short-${i}`, 5, 1);
    clock.advance(1_000);
    await store.incrementAndCheck('new', 5, 60);
    expect(await store.getCount('live-old')).toBe(1);
    expect(store.size).toBe(2);
  });

  it('keeps a renewed window from being evicted as the oldest', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock, maxKeys: 3 });
    await store.incrementAndCheck('a', 5, 1);
    await store.incrementAndCheck('b', 5, 60);
    clock.advance(1_000);
    await store.incrementAndCheck('a', 5, 60);
    await store.incrementAndCheck('c', 5, 60);
    await store.incrementAndCheck('d', 5, 60);
    expect(await store.getCount('a')).toBe(1);
    expect(await store.getCount('b')).toBe(0);
  });

  it('resets by glob pattern', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock() });
    await store.incrementAndCheck('ratelimit:1:a', 5, 60);
    await store.incrementAndCheck('ratelimit:1:b', 5, 60);
    await store.incrementAndCheck('ratelimit:2:a', 5, 60);
    expect(await store.resetPattern('ratelimit:1:*')).toBe(2);
    expect(await store.resetPattern('ratelimit:?:a')).toBe(1);
    expect(store.size).toBe(0);
  });
});
