import { LocalDenyCache } from './local-deny-cache.js';
import type { RateLimitHit, RateLimitPolicyCheck } from './stores/rate-limit-store.js';

const policy: RateLimitPolicyCheck = { key: 'ratelimit:{user:1}:a', limit: 5, period: 60 };
const refused: RateLimitHit = {
  count: 5,
  limited: true,
  remaining: 0,
  resetMs: 30_000,
  retryAfterMs: 30_000,
};

describe('LocalDenyCache', () => {
  it('refuses a key the store refused until the time it reported, counted from the call', () => {
    const cache = new LocalDenyCache();
    cache.remember(policy, 1, refused, 1000);
    expect(cache.refusal(policy, 1, 1000)).toEqual({ ...refused, limited: true });
    expect(cache.refusal(policy, 1, 21_000)).toMatchObject({
      remaining: 0,
      resetMs: 10_000,
      retryAfterMs: 10_000,
    });
    expect(cache.refusal(policy, 1, 30_999)?.retryAfterMs).toBe(1);
    expect(cache.refusal(policy, 1, 31_000)).toBeUndefined();
    // Met once expired, it is gone.
    expect(cache.size).toBe(0);
  });

  it('remembers nothing but a refusal with a wait, of a policy that enforces', () => {
    const cache = new LocalDenyCache();
    cache.remember(policy, 1, { ...refused, limited: false, retryAfterMs: 0 }, 0);
    cache.remember(policy, 1, { ...refused, retryAfterMs: 0 }, 0);
    cache.remember({ ...policy, shadow: true }, 1, refused, 0);
    expect(cache.size).toBe(0);
    cache.remember(policy, 1, refused, 0);
    expect(cache.refusal({ ...policy, shadow: true }, 1, 0)).toBeUndefined();
  });

  it.each<[string, Partial<RateLimitPolicyCheck>]>([
    ['a raised limit', { limit: 6 }],
    ['a lowered limit', { limit: 4 }],
    ['another period', { period: 30 }],
    ['another algorithm', { algorithm: 'gcra' }],
    ['another burst', { burst: 10 }],
  ])('answers nothing for %s: the rule changed, the store decides', (_, change) => {
    const cache = new LocalDenyCache();
    cache.remember(policy, 1, refused, 0);
    expect(cache.refusal({ ...policy, ...change }, 1, 0)).toBeUndefined();
    expect(cache.refusal({ ...policy, algorithm: 'fixed-window' }, 1, 0)).toBeDefined();
  });

  it('refuses a cost at least the one refused, never a smaller one that may fit', () => {
    const cache = new LocalDenyCache();
    cache.remember(policy, 3, { ...refused, count: 3, remaining: 2 }, 0);
    expect(cache.refusal(policy, 2, 0)).toBeUndefined();
    expect(cache.refusal(policy, 3, 0)).toMatchObject({ remaining: 2 });
    expect(cache.refusal(policy, 9, 0)).toBeDefined();
  });

  it('keeps at most maxKeys, forgetting the oldest first', () => {
    const cache = new LocalDenyCache({ maxKeys: 2 });
    const of = (key: string) => ({ ...policy, key });
    cache.remember(of('a'), 1, refused, 0);
    cache.remember(of('b'), 1, refused, 0);
    // Refused again: the newest now.
    cache.remember(of('a'), 1, refused, 0);
    cache.remember(of('c'), 1, refused, 0);
    expect(cache.size).toBe(2);
    expect(cache.refusal(of('b'), 1, 0)).toBeUndefined();
    expect(cache.refusal(of('a'), 1, 0)).toBeDefined();
    expect(cache.refusal(of('c'), 1, 0)).toBeDefined();
  });

  it('forgets a key, or every key', () => {
    const cache = new LocalDenyCache();
    cache.remember(policy, 1, refused, 0);
    cache.remember({ ...policy, key: 'other' }, 1, refused, 0);
    cache.forget(policy.key, 0);
    expect(cache.refusal(policy, 1, 0)).toBeUndefined();
    cache.clear(0);
    expect(cache.size).toBe(0);
  });

  it('remembers no refusal from a call sent before a key was forgotten', () => {
    const cache = new LocalDenyCache();
    // A call sent at 10, refused by the store; a refund at 20; the refusal arrives at 30.
    cache.forget(policy.key, 20);
    cache.remember(policy, 1, refused, 10);
    expect(cache.refusal(policy, 1, 30)).toBeUndefined();
    cache.remember(policy, 1, refused, 20);
    expect(cache.size).toBe(0);
    // One sent after the refund is the store's answer since.
    cache.remember(policy, 1, refused, 21);
    expect(cache.refusal(policy, 1, 30)).toBeDefined();
    cache.clear(40);
    cache.remember(policy, 1, refused, 35);
    expect(cache.size).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects maxKeys %s', (maxKeys) => {
    expect(() => new LocalDenyCache({ maxKeys })).toThrow(
      /^localDenyCache.maxKeys must be a positive integer/,
    );
  });
});
