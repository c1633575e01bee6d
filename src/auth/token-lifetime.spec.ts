import { DEFAULT_JWT_MAX_LIFETIME, resolveMaxTokenLifetime } from './token-lifetime.js';

describe('resolveMaxTokenLifetime', () => {
  it('defaults to 24 hours in production', () => {
    expect(DEFAULT_JWT_MAX_LIFETIME).toBe(86_400);
    expect(resolveMaxTokenLifetime({ nodeEnv: 'production' })).toBe(86_400);
  });

  it.each(['production', 'development', 'test'])(
    'uses JWT_MAX_LIFETIME when set (%s)',
    (nodeEnv) => {
      expect(resolveMaxTokenLifetime({ nodeEnv, jwtMaxLifetime: 600 })).toBe(600);
    },
  );

  it.each(['development', 'test'])('sets no maximum in %s unless told to', (nodeEnv) => {
    expect(resolveMaxTokenLifetime({ nodeEnv })).toBeUndefined();
  });
});
