import type { GcraCell } from '../algorithms/gcra.js';
import type { SlidingWindowCounts } from '../algorithms/sliding-window.js';
/** One counter of the memory store: a fixed window, or another algorithm's state. */
export interface MemoryWindow {
  /** Requests counted in the window (another algorithm: as of its latest request). */
  count: number;
  /** The limit of the latest request counted (GCRA: its burst), which ranks the window for eviction. */
  limit: number;
  /** Clock time (ms) at which the window ends (another algorithm: at which its state is empty). */
  expiresAt: number;
  /** Unset for a fixed window. */
  kind?: 'gcra' | 'sliding-window';
  state?: GcraCell | SlidingWindowCounts;
}

/** Ranks 0–30: ⌊log2⌋ of what evicting the window would hand back, at most 2^31 requests. */
const RANKS = 32;

/**
 * The eviction rank of a window, lowest evicted first: ⌊log2⌋ of the requests its eviction would
 * hand back to its caller, `min(count, limit)`. A fresh key ranks 0 whatever its limit; a caller
 * at or past a limit of 100 ranks 6, so evicting it takes windows that each cost 64 requests.
 * @example evictionRank(1, 1) // 0: a fresh key, even under a limit of 1
 * @example evictionRank(90, 100) // 6
 * @example evictionRank(101, 100) // 6: refusing, hands back 100 if reset
 */
export function evictionRank(count: number, limit: number): number {
  // A limit that is not a number ranks by the count: better kept than reset.
  const refund = limit < count ? limit : count;
  return 31 - Math.clz32(refund);
}

/**
 * Shrinks `windows` to at most `target` entries in two passes, O(n) with no sort: the first drops
 * every expired window and tallies the live ones by {@link evictionRank}; the second, in Map order
 * (oldest window first), deletes every window ranked below the threshold rank and the oldest of that
 * rank, until `target` remain.
 *
 * Guarantee: a live window is deleted only if at least `target` other live windows rank at or
 * above it; windows ranked below it, however many, never count towards its eviction.
 */
export function evictLeastFull(
  windows: Map<string, MemoryWindow>,
  target: number,
  now: number,
): void {
  const tally = new Uint32Array(RANKS);
  // forEach walks a Map about twice as fast as for-of here; this pass has no early exit anyway.
  windows.forEach((window, key) => {
    if (window.expiresAt <= now) windows.delete(key);
    else tally[evictionRank(window.count, window.limit)] += 1;
  });
  let excess = windows.size - target;
  if (excess <= 0) return;
  // The tally sums to the size, so this stops at the lowest rank that cannot all stay.
  let threshold = 0;
  while (tally[threshold] < excess) {
    excess -= tally[threshold];
    threshold += 1;
  }
  for (const [key, window] of windows) {
    const rank = evictionRank(window.count, window.limit);
    if (rank < threshold) windows.delete(key);
    else if (rank === threshold && excess > 0) {
      windows.delete(key);
      excess -= 1;
    }
    if (windows.size <= target) return;
  }
}
