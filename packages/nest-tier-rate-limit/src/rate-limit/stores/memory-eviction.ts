/** One fixed-window counter of the memory store. */
export interface MemoryWindow {
  /** Requests counted in the window. */
  count: number;
  /** The limit of the latest request counted, which ranks the window for eviction. */
  limit: number;
  /** Clock time (ms) at which the window ends. */
  expiresAt: number;
}

/** Ranks below the limit: the fill `count / limit` in whole percent, 0–99. */
const FILL_RANKS = 100;
/** Rank of a window at its limit: its next request is refused. */
const AT_LIMIT = FILL_RANKS;
/** Rank of a window past its limit: it has refused a request already. */
const OVER_LIMIT = FILL_RANKS + 1;

/**
 * The eviction rank of a window, lowest evicted first: its fill in whole percent while under its
 * limit (`⌊100 · count / limit⌋`, 0–99), then 100 at the limit and 101 past it.
 * @example evictionRank(1, 100) // 1: a fresh window of a 100-request rule
 * @example evictionRank(90, 100) // 90
 * @example evictionRank(101, 100) // 101: refusing, kept longest
 */
export function evictionRank(count: number, limit: number): number {
  // `| 0` floors this non-negative fill with no global lookup per window (slow in Jest's VM).
  if (count < limit) return ((count * FILL_RANKS) / limit) | 0;
  // A limit that is not a number ranks as refusing: better kept than reset.
  return count === limit ? AT_LIMIT : OVER_LIMIT;
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
  const tally = new Uint32Array(OVER_LIMIT + 1);
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
