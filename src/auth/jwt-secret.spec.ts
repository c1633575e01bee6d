import { jest } from '@jest/globals';
import { DEVELOPMENT_JWT_SECRET, resolveJwtSecret } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  const secret = 'a-real-secret-of-32-characters!!';

  it('returns JWT_SECRET when set, without warning', () => {
    const warn = jest.fn();
    expect(resolveJwtSecret({ nodeEnv: 'production', jwtSecret: secret }, warn)).toBe(secret);
    expect(resolveJwtSecret({ nodeEnv: 'development', jwtSecret: secret }, warn)).toBe(secret);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([undefined, ''])('refuses a missing secret (%j) in production', (jwtSecret) => {
    expect(() => resolveJwtSecret({ nodeEnv: 'production', jwtSecret }, jest.fn())).toThrow(
      'JWT_SECRET is required when NODE_ENV=production',
    );
  });

  it.each(['development', 'test'])('falls back to the development secret in %s', (nodeEnv) => {
    const warn = jest.fn();
    expect(resolveJwtSecret({ nodeEnv }, warn)).toBe(DEVELOPMENT_JWT_SECRET);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET is not set'));
  });
});
