import { type Clock, systemClock } from '../clock.js';
import { globToRegExp } from './glob.js';
import { fixedWindowHit, type RateLimitHit, RateLimitStore } from './rate-limit-store.js';

interface Window {
  count: number;
  expiresAt: number;
}

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most counters kept at once; past it the oldest window is evicted first.
   * @default 100000
   */
  maxKeys?: number;
  /** Time source, replaced in tests. @default the wall clock */
  clock?: Clock;
}

/** Expired windows examined per new window, so that cleanup costs O(1) per request. */
const SWEEP_PER_INSERT = 2;

/**
 * Fixed-window counters in process memory: exact within one process, not shared between processes.
 *
 * No timers: each window keeps its expiry time and is replaced lazily. Windows sit in a Map in the
 * order they opened, so the front holds the oldest; each new window sweeps a couple of expired ones
 * from the front, and past `maxKeys` the oldest is evicted, so memory stays bounded under any load.
 */
export class MemoryRateLimitStore extends RateLimitStore {
  readonly name = 'memory';
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  private readonly clock: Clock;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    super();
    this.maxKeys = options.maxKeys ?? 100_000;
    this.clock = options.clock ?? systemClock;
  }

  /** Counters currently held (live or not yet swept). */
  get size(): number {
    return this.windows.size;
  }

  incrementAndCheck(key: string, limit: number, periodSeconds: number): Promise<RateLimitHit> {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (window === undefined || window.expiresAt <= now) {
      // Re-inserting moves the key to the back, keeping the Map ordered by window start.
      if (window !== undefined) this.windows.delete(key);
      window = { count: 0, expiresAt: now + periodSeconds * 1000 };
      this.makeRoom(now);
      this.windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve(fixedWindowHit(window.count, limit, window.expiresAt - now));
  }

  getCount(key: string): Promise<number> {
    const window = this.windows.get(key);
    const live = window !== undefined && window.expiresAt > this.clock.now();
    return Promise.resolve(live ? window.count : 0);
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
    let examined = 0;
    for (const [key, window] of this.windows) {
      if (examined === SWEEP_PER_INSERT || window.expiresAt > now) break;
      this.windows.delete(key);
      examined += 1;
    }
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done === true) break;
      this.windows.delete(oldest.value);
    }
  }
}
