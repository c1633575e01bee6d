import { createHash } from 'node:crypto';
import type { OnApplicationShutdown } from '@nestjs/common';
import { type Clock, systemClock } from '../clock.js';
import {
  type RateLimitAlgorithm,
  RATE_LIMIT_ALGORITHMS,
  type RateLimitCounting,
} from '../algorithms/rate-limit-algorithm.js';
import {
  CasCounter,
  gcraStep,
  KeyQueue,
  MAX_RELATIVE_TTL,
  slidingWindowStep,
} from './memcached-cas.js';
import { MemcachedClient } from './memcached-client.js';
import { EPOCH_SECONDS, pack, unpack, windowEndMs, windowEndOf } from './memcached-fixed-window.js';
import { casPolicy, CasPolicies } from './memcached-policies.js';
import {
  fixedWindowHit,
  type RateLimitCounted,
  type RateLimitHit,
  type RateLimitPolicyCheck,
  RateLimitStore,
  RateLimitStoreUnsupportedError,
} from './rate-limit-store.js';

/** Options of {@link MemcachedRateLimitStore}. */
export interface MemcachedRateLimitStoreOptions {
  /** @default 'localhost' */
  host?: string;
  /** @default 11211 */
  port?: number;
  /** Most connections open at once. @default 10 */
  poolSize?: number;
  /** Time allowed to each call before it fails, in milliseconds. @default 250 */
  timeoutMs?: number;
  /** Time source for window ends; must read real Unix time. @default the wall clock */
  clock?: Clock;
}

const MAX_KEY_BYTES = 250;
const ATTEMPTS = 3;
const HASHED_SUFFIX = /#[\w-]{43}$/;

/**
 * Counters in Memcached, shared by every process using the same server. GCRA and the sliding
 * window use compare-and-swap ({@link CasCounter}: two round trips for a pass, one for a
 * refusal); the fixed window, described here, one `incr`.
 *
 * Memcached cannot report a key's TTL, so the value packs the window end (whole seconds) with the
 * count. A check is one `incr` in the steady state; a missing window is opened with `add` (only
 * one process wins, the others `incr` the winner's), so counting is atomic across processes.
 *
 * The window end is rounded down to the whole second, so a reset time never exceeds the period.
 * Memcached expires the key on its own one-second tick, within the second before `period` ends:
 * the counter disappears within one second of the reported end, and reset times are exact to it.
 *
 * Several policies, a cost above one or a refundable request: all or none by
 * {@link CasPolicies} (one `gets`, then a `cas` per key; a refusal writes nothing, a late one is
 * given back), each policy with its own algorithm, the fixed window on the same packed value as
 * `incr`. Its windows are kept a second past their end, which it ignores and `incr` counts into,
 * as into the second its own windows may outlive their end. Refunds: a `cas` per key.
 *
 * Needs the optional peer dependency `memcached` (`npm install memcached`), loaded on construction.
 */
export class MemcachedRateLimitStore extends RateLimitStore implements OnApplicationShutdown {
  readonly name = 'memcached';
  private readonly client: MemcachedClient;
  private readonly clock: Clock;
  private readonly cas: CasCounter;
  private readonly policies: CasPolicies;

  /** @throws Error naming the package to install when `memcached` is absent */
  constructor(options: MemcachedRateLimitStoreOptions = {}) {
    super();
    this.client = new MemcachedClient({
      location: `${options.host ?? 'localhost'}:${options.port ?? 11211}`,
      poolSize: options.poolSize ?? 10,
      timeoutMs: options.timeoutMs ?? 250,
    });
    this.clock = options.clock ?? systemClock;
    const budgetMs = options.timeoutMs ?? 250;
    // One queue per key for both sequences, so that this process never contends with itself.
    const queue = new KeyQueue();
    this.cas = new CasCounter(this.client, budgetMs, queue);
    this.policies = new CasPolicies(this.client, queue, this.clock, budgetMs);
  }

  override get algorithms(): readonly RateLimitAlgorithm[] {
    return RATE_LIMIT_ALGORITHMS;
  }

  async incrementAndCheck(
    key: string,
    limit: number,
    periodSeconds: number,
    counting?: RateLimitCounting,
  ): Promise<RateLimitHit> {
    const safeKey = toMemcachedKey(key);
    const periodMs = periodSeconds * 1000;
    const now = () => this.clock.now();
    if (counting?.algorithm === 'gcra') {
      const burst = counting.burst ?? limit;
      return this.cas.count(safeKey, () => gcraStep(now(), limit, periodMs, burst));
    }
    if (counting?.algorithm === 'sliding-window')
      return this.cas.count(safeKey, () => slidingWindowStep(now(), limit, periodMs));
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const value = await this.client.incr(safeKey, 1).catch(unlessNonNumeric);
      // Another algorithm's value under the key: a window starts over it.
      if (value === NON_NUMERIC) await this.client.del(safeKey);
      else if (value !== false) return this.hit(value, limit);
      const windowEnd = windowEndOf(this.clock.now(), periodSeconds);
      const opened = pack(1, windowEnd);
      const ttl = periodSeconds <= MAX_RELATIVE_TTL ? periodSeconds : EPOCH_SECONDS + windowEnd;
      if (await this.client.add(safeKey, opened, ttl)) return this.hit(opened, limit);
    }
    throw new Error(`memcached counter ${key} vanished ${ATTEMPTS} times in a row`);
  }

  /** Every policy or none, by {@link CasPolicies} (two round trips for a pass, one for a refusal). */
  protected override async countSeveral(
    policies: readonly RateLimitPolicyCheck[],
    cost: number,
  ): Promise<RateLimitHit[]> {
    if (policies.length === 0) return [];
    const checks = policies.map((check) => casPolicy(check, toMemcachedKey(check.key), cost));
    return this.policies.count(checks, cost);
  }

  /**
   * Gives back `amount` units on each policy, one `cas` per key (two round trips; one when there
   * is nothing to give back): only to the fixed window or sliding sub-window of the hit's
   * `window`, never below zero, a GCRA TAT never before now.
   */
  override refundPolicies(
    policies: readonly RateLimitPolicyCheck[],
    hits: readonly RateLimitCounted[],
    amount: number,
  ): Promise<RateLimitHit[]> {
    if (policies.length === 0) return Promise.resolve([]);
    const checks = policies.map((check) => casPolicy(check, toMemcachedKey(check.key)));
    return this.policies.refund(checks, hits, amount);
  }

  async getCount(key: string): Promise<number> {
    const value = await this.client.get(toMemcachedKey(key));
    return value === undefined ? 0 : decode(value, key).count;
  }

  async reset(key: string): Promise<void> {
    await this.client.del(toMemcachedKey(key));
  }

  resetPattern(_pattern: string): Promise<number> {
    const reason = 'memcached has no way to list its keys; reset keys one by one';
    return Promise.reject(
      new RateLimitStoreUnsupportedError(this.name, 'reset by pattern', reason),
    );
  }

  ping(): Promise<void> {
    return this.client.version();
  }

  /**
   * Closes the connections for good. Nest calls it after the HTTP server has closed, so that
   * requests still in flight at shutdown are counted.
   */
  onApplicationShutdown(): Promise<void> {
    this.client.end();
    return Promise.resolve();
  }

  private hit(value: unknown, limit: number): RateLimitHit {
    const { count, windowEnd } = decode(value, 'counter');
    const resetMs = windowEndMs(windowEnd) - this.clock.now();
    return fixedWindowHit(count, limit, Math.max(0, resetMs));
  }
}

const NON_NUMERIC = Symbol('non-numeric');

/** `incr` of a value that is no number (another algorithm's) answers this instead of failing. */
function unlessNonNumeric(error: unknown): typeof NON_NUMERIC {
  const cause = error instanceof Error ? error.message : '';
  if (/non-numeric/.test(cause)) return NON_NUMERIC;
  throw error;
}

function decode(raw: unknown, key: string): { count: number; windowEnd: number } {
  const packed = unpack(raw);
  if (packed === undefined)
    throw new Error(`memcached key ${key} does not hold a rate-limit counter`);
  return packed;
}

/*
 * The key as memcached takes it: printable ASCII up to 250 bytes. Any other key maps to a
 * readable prefix and the SHA-256 of the whole key; keys that look hashed are hashed again, so
 * two distinct keys never share a counter.
 */
function toMemcachedKey(key: string): string {
  const safe = /^[\x21-\x7e]+$/.test(key) && key.length <= MAX_KEY_BYTES;
  if (safe && !HASHED_SUFFIX.test(key)) return key;
  const digest = createHash('sha256').update(key).digest('base64url');
  return `${key.replace(/[^\x21-\x7e]/g, '_').slice(0, 200)}#${digest}`;
}
