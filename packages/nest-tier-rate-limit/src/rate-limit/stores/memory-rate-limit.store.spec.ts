import { MemoryRateLimitStore } from './memory-rate-limit.store.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Counts `hits` requests on `key` against `limit` per `period` seconds. */
async function hit(store: MemoryRateLimitStore, key: string, hits: number, limit = 5, period = 60) {
  for (let i = 0; i < hits; i += 1) await store.incrementAndCheck(key, limit, period);
}

/** Opens `n` windows of one request each under a limit of 100, as an anonymous flood would. */
async function flood(store: MemoryRateLimitStore, n: number, name = 'junk') {
  for (let i = 0; i < n; i += 1) await store.incrementAndCheck(`${name}-${i}`, 100, 60);
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

  it('keeps a victim at its limit, at 90 % of it and past it through any number of junk keys', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock(), maxKeys: 1_000 });
    await hit(store, 'at-limit', 100, 100);
    await hit(store, 'near-limit', 90, 100);
    await hit(store, 'refused', 101, 100);
    await flood(store, 50_000);
    expect(store.size).toBeLessThanOrEqual(1_000);
    expect(await store.getCount('at-limit')).toBe(100);
    expect(await store.getCount('near-limit')).toBe(90);
    expect(await store.getCount('refused')).toBe(101);
    expect((await store.incrementAndCheck('at-limit', 100, 60)).limited).toBe(true);
  });

  it('evicts the windows whose reset would hand back least first, oldest first', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock(), maxKeys: 20 });
    await hit(store, 'three-of-100', 3, 100);
    for (let i = 0; i < 17; i += 1) await hit(store, `two-of-5-${i}`, 2);
    await hit(store, 'one-of-5-old', 1);
    await hit(store, 'one-of-5-new', 1);
    await hit(store, 'new', 1);
    // 20 windows: the pass frees 2, the two that hand back one request (rank 0), not three.
    expect(await store.getCount('one-of-5-old')).toBe(0);
    expect(await store.getCount('one-of-5-new')).toBe(0);
    expect(await store.getCount('three-of-100')).toBe(3);
    expect(await store.getCount('two-of-5-0')).toBe(2);
    expect(store.size).toBe(19);
  });

  it('ranks a window by the limit of its latest request', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock(), maxKeys: 100 });
    await hit(store, 'k', 3, 1_000);
    await hit(store, 'k', 1, 4);
    await flood(store, 1_000);
    expect(await store.getCount('k')).toBe(4);
  });

  it('keeps a victim at its limit through fresh keys of a limit-1 route, refused or not', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock(), maxKeys: 100 });
    await hit(store, 'victim', 101, 100);
    // Fresh keys at a limit of 1 are "at their limit", and a second hit is past it: either way
    // their reset hands back one request, and the victim's a hundred.
    for (let i = 0; i < 1_000; i += 1) await hit(store, `one-${i}`, 1 + (i % 2), 1);
    expect(await store.getCount('victim')).toBe(101);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('stays bounded when every window is refusing, evicting the oldest', async () => {
    const store = new MemoryRateLimitStore({ clock: fakeClock(), maxKeys: 100 });
    let largest = 0;
    for (let i = 0; i < 5_000; i += 1) {
      await hit(store, `refused-${i}`, 3, 2);
      largest = Math.max(largest, store.size);
    }
    expect(largest).toBe(100);
    expect(store.size).toBeGreaterThanOrEqual(90);
    expect(await store.getCount('refused-0')).toBe(0);
    expect(await store.getCount('refused-4999')).toBe(3);
  });

  it('drops expired windows, even refusing ones, before live junk, and live junk before a victim', async () => {
    const clock = fakeClock();
    const store = new MemoryRateLimitStore({ clock, maxKeys: 10 });
    await hit(store, 'victim', 5);
    for (let i = 0; i < 3; i += 1) await hit(store, `expiring-${i}`, 2, 1, 1);
    await flood(store, 6);
    clock.advance(1_000);
    // The first new window's pass frees the 3 expired ones; the fourth's evicts the oldest junk.
    await flood(store, 4, 'later');
    expect(await store.getCount('expiring-0')).toBe(0);
    expect(await store.getCount('victim')).toBe(5);
    expect(await store.getCount('junk-0')).toBe(0);
    expect(await store.getCount('junk-1')).toBe(1);
    expect(store.size).toBe(10);
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
