import { type Clock, systemClock } from '../clock.js';
import type { MaybePromise } from '../maybe-promise.js';
import { globToRegExp } from './glob.js';
import { evictLeastFull, type MemoryWindow } from './memory-eviction.js';
import { countFixedWindow, refundFixedWindow } from '../algorithms/fixed-window.js';
import { countGcra, type GcraCell, refundGcra } from '../algorithms/gcra.js';
import {
  type RateLimitAlgorithm,
  RATE_LIMIT_ALGORITHMS,
  type RateLimitCounting,
} from '../algorithms/rate-limit-algorithm.js';
import {
  countSlidingWindow,
  newSlidingWindow,
  refundSlidingWindow,
  type SlidingWindowCounts,
} from '../algorithms/sliding-window.js';
import {
  fixedWindowHit,
  type RateLimitCounted,
  type RateLimitHit,
  type RateLimitPolicyCheck,
  RateLimitStore,
} from './rate-limit-store.js';
import { refuses, uncounted } from './shadow-policies.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most counters kept at once; past it the emptiest windows are evicted first (see
   * {@link MemoryRateLimitStore}).
   * @default 100000
   */
  maxKeys?: number;
  /** Time source, replaced in tests. @default the wall clock */
  clock?: Clock;
}

/** New windows between two sweeps of expired ones from the front of the Map. */
const SWEEP_EVERY = 1024;
/** Share of `maxKeys` freed at once when the store is full, so a full store is not rescanned per request. */
const EVICT_SHARE = 0.1;

/**
 * Fixed-window counters in process memory: exact within one process, not shared between processes.
 *
 * No timers: each window keeps its expiry time and is replaced lazily. Windows sit in a Map in the
 * order they opened, so the front holds the oldest. Every {@link SWEEP_EVERY} new windows, expired
 * ones are swept from the front. When `maxKeys` is reached, one pass brings the store down to
 * `T = maxKeys − max(1, ⌊maxKeys / 10⌋)` windows: every expired window goes, then live ones by
 * rank, lowest first and oldest first within a rank. The rank is ⌊log2⌋ of what a reset would hand
 * back to the window's caller, `min(count, limit)` (the limit of its latest request).
 *
 * Guarantee: a live window is evicted only when at least `T` other live windows rank at or above
 * it. A window that would hand back `r` requests is therefore reset only after `T` other windows
 * each got at least `r / 2` requests within one period: a fresh key ranks 0 whatever its limit,
 * so no number of them resets a caller whose reset would hand back two requests or more, and
 * winning back `r` requests for one caller costs more than `T · r / 2` (90,000 · r / 2 by default).
 *
 * Work stays O(1) per request on average: a pass is two O(maxKeys) scans (a tally by rank, then
 * the deletions; no sort) and frees at least a tenth. Passes are batched because a Map iterator
 * walks deleted slots, so starting one per request would not be O(1). Memory stays bounded under
 * any number of callers, even when every window is refusing.
 */
export class MemoryRateLimitStore extends RateLimitStore {
  readonly name = 'memory';
  private readonly windows = new Map<string, MemoryWindow>();
  private readonly maxKeys: number;
  private readonly clock: Clock;
  /** Windows opened so far, to pace the sweeps. */
  private opened = 0;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    super();
    this.maxKeys = options.maxKeys ?? 100_000;
    this.clock = options.clock ?? systemClock;
  }

  /** Counters currently held (live or not yet swept). */
  get size(): number {
    return this.windows.size;
  }

  override get algorithms(): readonly RateLimitAlgorithm[] {
    return RATE_LIMIT_ALGORITHMS;
  }

  incrementAndCheck(
    key: string,
    limit: number,
    periodSeconds: number,
    counting?: RateLimitCounting,
  ): Promise<RateLimitHit> {
    return Promise.resolve(this.countNow(key, limit, periodSeconds, counting));
  }

  /** The hit itself, no promise; a subclass that overrides `incrementAndCheck` is called through it. */
  override countRequest(
    key: string,
    limit: number,
    periodSeconds: number,
    counting?: RateLimitCounting,
  ): MaybePromise<RateLimitHit> {
    if (this.incrementAndCheck !== MemoryRateLimitStore.prototype.incrementAndCheck)
      return this.incrementAndCheck(key, limit, periodSeconds, counting);
    return this.countNow(key, limit, periodSeconds, counting);
  }

  /** Counts one request on `key` and answers at once. */
  countNow(
    key: string,
    limit: number,
    periodSeconds: number,
    counting?: RateLimitCounting,
  ): RateLimitHit {
    const algorithm = counting?.algorithm;
    if (algorithm !== undefined && algorithm !== 'fixed-window')
      return this.countStateful(key, limit, periodSeconds * 1000, algorithm, counting?.burst);
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (window === undefined || window.expiresAt <= now || window.kind !== undefined) {
      // Re-inserting moves the key to the back, keeping the Map ordered by window start.
      if (window !== undefined) this.windows.delete(key);
      window = { count: 0, limit, expiresAt: now + periodSeconds * 1000 };
      this.makeRoom(now);
      this.windows.set(key, window);
    }
    window.count += 1;
    window.limit = limit;
    return fixedWindowHit(window.count, limit, window.expiresAt - now);
  }

  /**
   * Every policy at once: one pass that decides, then, if every enforced policy passes, one that
   * counts each policy that would pass.
   */
  protected override countSeveral(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
  ): RateLimitHit[] {
    return this.countPoliciesNow(policies, cost);
  }

  /** {@link countPolicies} in this process, answered at once. */
  countPoliciesNow(policies: readonly RateLimitPolicyCheck[], cost: number): RateLimitHit[] {
    const now = this.clock.now();
    const hits = policies.map((policy) => this.step(policy, now, cost, false));
    if (hits.some((hit, index) => refuses(policies[index], hit))) return hits;
    return policies.map((policy, index) => {
      const decided = hits[index];
      // Only a shadow policy can have refused here: it keeps its refusal and counts nothing.
      const hit = decided.limited ? decided : this.step(policy, now, cost, true);
      return hit.limited && policy.shadow === true ? uncounted(hit) : hit;
    });
  }

  override refundPolicies(
    policies: readonly RateLimitPolicyCheck[],
    hits: readonly RateLimitCounted[],
    amount: number,
  ): RateLimitHit[] {
    const now = this.clock.now();
    return policies.map((policy, index) => {
      const { key, limit, period, algorithm, burst = limit } = policy;
      const window = this.windows.get(key);
      const counted = hits[index].window;
      const kind = algorithm === 'fixed-window' ? undefined : algorithm;
      // Nothing counted: the full quota (GCRA: its burst).
      if (window === undefined || window.kind !== kind)
        return idle(kind === 'gcra' ? burst : limit);
      // A hit with no window (counted without `refundable`) matches none: nothing is given back.
      if (kind === undefined)
        return refundFixedWindow(window, now, limit, counted ?? Number.NaN, amount);
      const hit =
        kind === 'gcra'
          ? refundGcra(window.state as GcraCell, now, limit, period * 1000, burst, amount, counted)
          : refundSlidingWindow(
              window.state as SlidingWindowCounts,
              now,
              limit,
              period * 1000,
              counted ?? Number.NaN,
              amount,
            );
      window.count = hit.count;
      window.expiresAt = now + hit.resetMs;
      return hit;
    });
  }

  /** One policy of {@link countPolicies}: decides, and counts when `apply` is set. */
  private step(
    policy: RateLimitPolicyCheck,
    now: number,
    cost: number,
    apply: boolean,
  ): RateLimitHit {
    const { key, limit, period, algorithm = 'fixed-window', burst = limit } = policy;
    const periodMs = period * 1000;
    const kind = algorithm === 'fixed-window' ? undefined : algorithm;
    let window = this.windows.get(key);
    if (window === undefined || window.kind !== kind || window.expiresAt <= now) {
      // A dry run creates nothing: it reads a window that holds nothing yet.
      const fresh: MemoryWindow = { count: 0, limit, expiresAt: now, kind };
      if (kind !== undefined)
        fresh.state = kind === 'gcra' ? { tat: 0 } : newSlidingWindow(periodMs);
      if (!apply) window = fresh;
      else {
        if (window !== undefined) this.windows.delete(key);
        window = fresh;
        this.makeRoom(now);
        this.windows.set(key, window);
      }
    }
    if (kind === undefined) {
      window.limit = limit;
      return countFixedWindow(window, now, limit, periodMs, cost, apply);
    }
    const hit =
      kind === 'gcra'
        ? countGcra(window.state as GcraCell, now, limit, periodMs, burst, cost, apply)
        : countSlidingWindow(
            window.state as SlidingWindowCounts,
            now,
            limit,
            periodMs,
            cost,
            apply,
          );
    if (apply) {
      window.count = hit.count;
      window.limit = kind === 'gcra' ? burst : limit;
      window.expiresAt = now + hit.resetMs;
    }
    return hit;
  }

  getCount(key: string): Promise<number> {
    const window = this.windows.get(key);
    const live = window !== undefined && window.expiresAt > this.clock.now();
    return Promise.resolve(live ? window.count : 0);
  }

  /**
   * GCRA and the sliding window: their state in the window entry, which expires once the state
   * is empty again (so the sweeps and eviction treat it as any window).
   */
  private countStateful(
    key: string,
    limit: number,
    periodMs: number,
    kind: 'gcra' | 'sliding-window',
    burst = limit,
  ): RateLimitHit {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (window === undefined || window.expiresAt <= now || window.kind !== kind) {
      if (window !== undefined) this.windows.delete(key);
      const state = kind === 'gcra' ? { tat: 0 } : newSlidingWindow(periodMs);
      window = { count: 0, limit, expiresAt: now, kind, state };
      this.makeRoom(now);
      this.windows.set(key, window);
    }
    const hit =
      kind === 'gcra'
        ? countGcra(window.state as GcraCell, now, limit, periodMs, burst)
        : countSlidingWindow(window.state as SlidingWindowCounts, now, limit, periodMs);
    window.count = hit.count;
    window.limit = kind === 'gcra' ? burst : limit;
    window.expiresAt = now + hit.resetMs;
    return hit;
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  resetPattern(pattern: string): Promise<number> {
    const matcher = globToRegExp(pattern);
    let removed = 0;
    for (const key of this.windows.keys()) {
      if (matcher.test(key)) {
        this.windows.delete(key);
        removed += 1;
      }
    }
    return Promise.resolve(removed);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  private makeRoom(now: number): void {
    this.opened += 1;
    if (this.windows.size >= this.maxKeys) this.evict(now);
    else if (this.opened % SWEEP_EVERY === 0) this.sweepExpired(now);
  }

  /** Deletes the expired windows at the front, up to the first live one. */
  private sweepExpired(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.expiresAt > now) return;
      this.windows.delete(key);
    }
  }

  /** One pass: every expired window, then the emptiest live ones, until a tenth is free. */
  private evict(now: number): void {
    const target = this.maxKeys - Math.max(1, Math.floor(this.maxKeys * EVICT_SHARE));
    evictLeastFull(this.windows, target, now);
  }
}

/** The state of a policy with nothing counted. */
function idle(limit: number): RateLimitHit {
  return { count: 0, limited: false, remaining: limit, resetMs: 0, retryAfterMs: 0 };
}
