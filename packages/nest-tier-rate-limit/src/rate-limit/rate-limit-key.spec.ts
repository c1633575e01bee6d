import { buildRateLimitKey, MAX_KEY_PART_LENGTH } from './rate-limit-key.js';

describe('buildRateLimitKey', () => {
  it('joins prefix, caller kind, caller and path', () => {
    expect(buildRateLimitKey('ratelimit', 'user', '42', 'api_v1_widgets')).toBe(
      'ratelimit:{user:42}:api_v1_widgets',
    );
    expect(buildRateLimitKey('ratelimit', 'ip', '2001:db8::/64', 'x')).toBe(
      'ratelimit:{ip:2001:db8::/64}:x',
    );
  });

  it('keeps a user id and an address of the same spelling apart', () => {
    expect(buildRateLimitKey('r', 'user', '127.0.0.1', 'p')).not.toBe(
      buildRateLimitKey('r', 'ip', '127.0.0.1', 'p'),
    );
  });

  it('bounds over-long paths and keeps distinct paths distinct', () => {
    const a = buildRateLimitKey('ratelimit', 'user', '1', 'a'.repeat(10_000));
    const b = buildRateLimitKey('ratelimit', 'user', '1', `${'a'.repeat(9_999)}b`);
    expect(a.length).toBe('ratelimit:{user:1}:'.length + MAX_KEY_PART_LENGTH);
    expect(b.length).toBe(a.length);
    expect(a).not.toBe(b);
    expect(a.startsWith(`ratelimit:{user:1}:${'a'.repeat(84)}~`)).toBe(true);
  });

  it('bounds an over-long caller the same way', () => {
    const key = buildRateLimitKey('ratelimit', 'ip', 'x'.repeat(100_000), 'api_v1_widgets');
    expect(key.length).toBe(
      'ratelimit:{ip:'.length + MAX_KEY_PART_LENGTH + '}:api_v1_widgets'.length,
    );
    expect(key).not.toBe(
      buildRateLimitKey('ratelimit', 'ip', `${'x'.repeat(99_999)}y`, 'api_v1_widgets'),
    );
  });

  it('keeps paths at the bound verbatim', () => {
    const path = 'p'.repeat(MAX_KEY_PART_LENGTH);
    expect(buildRateLimitKey('r', 'user', 'c', path)).toBe(`r:{user:c}:${path}`);
  });
});
