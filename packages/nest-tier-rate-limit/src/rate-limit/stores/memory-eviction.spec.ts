import fc from 'fast-check';
import { evictionRank, evictLeastFull, type MemoryWindow } from './memory-eviction.js';

// Failures print fast-check's seed and path: pass them as `{ seed, path }` to replay one.
const RUNS = { numRuns: 500 };
const NOW = 1_000_000;

const window = fc.record({
  count: fc.integer({ min: 1, max: 12 }),
  limit: fc.integer({ min: 1, max: 10 }),
  expired: fc.boolean(),
});
const store = fc
  .array(window, { maxLength: 60 })
  .chain((windows) => fc.tuple(fc.constant(windows), fc.nat({ max: windows.length })));

function toMap(windows: { count: number; limit: number; expired: boolean }[]) {
  const map = new Map<string, MemoryWindow>();
  windows.forEach(({ count, limit, expired }, i) => {
    map.set(`k${i}`, { count, limit, expiresAt: expired ? NOW : NOW + 1 });
  });
  return map;
}

describe('evictionRank', () => {
  it.each([
    [1, 100, 0],
    [1, 1, 0],
    [2, 1, 0],
    [1, 3, 0],
    [5, 1_000, 2],
    [63, 100, 5],
    [64, 100, 6],
    [90, 100, 6],
    [100, 100, 6],
    [101, 100, 6],
    [5_000, 10_000, 12],
  ])('ranks %i requests under a limit of %i at %i', (count, limit, rank) => {
    expect(evictionRank(count, limit)).toBe(rank);
  });

  it('ranks a window whose limit is not a number by its count', () => {
    expect(evictionRank(100, Number.NaN)).toBe(6);
  });
});

describe('evictLeastFull', () => {
  it('drops every expired window and keeps min(live, target), in Map order', () => {
    fc.assert(
      fc.property(store, ([windows, target]) => {
        const map = toMap(windows);
        const live = [...map.keys()].filter((key) => map.get(key)!.expiresAt > NOW);
        evictLeastFull(map, target, NOW);
        expect(map.size).toBe(Math.min(live.length, target));
        expect([...map.keys()]).toEqual(live.filter((key) => map.has(key)));
      }),
      RUNS,
    );
  });

  it('evicts a live window only when at least target others rank at or above it', () => {
    fc.assert(
      fc.property(store, ([windows, target]) => {
        const map = toMap(windows);
        // Map order is age order: a lower index opened earlier.
        const live = [...map]
          .filter(([, w]) => w.expiresAt > NOW)
          .map(([key, w], age) => ({ key, age, rank: evictionRank(w.count, w.limit) }));
        evictLeastFull(map, target, NOW);
        const kept = live.filter(({ key }) => map.has(key));
        for (const evicted of live.filter(({ key }) => !map.has(key))) {
          const atOrAbove = live.filter((w) => w !== evicted && w.rank >= evicted.rank);
          expect(atOrAbove.length).toBeGreaterThanOrEqual(target);
          // Every survivor outranks it, or ranks the same and opened later.
          const outranks = (w: (typeof live)[number]) =>
            w.rank > evicted.rank || (w.rank === evicted.rank && w.age > evicted.age);
          expect(kept.filter((w) => !outranks(w))).toEqual([]);
        }
      }),
      RUNS,
    );
  });
});
