import { validateEnv } from './env.validation.js';
import { rateLimitOptionsFromEnv } from './rate-limit-options.from-env.js';

describe('rateLimitOptionsFromEnv', () => {
  it('passes the total budget on as defaultTotalLimit / defaultTotalPeriod', () => {
    const env = validateEnv({
      DEFAULT_RATE_LIMIT_TOTAL_LIMIT: '3',
      DEFAULT_RATE_LIMIT_TOTAL_PERIOD: '60',
    });
    expect(rateLimitOptionsFromEnv(env)).toMatchObject({
      defaultTotalLimit: 3,
      defaultTotalPeriod: 60,
    });
  });

  it('sets no total budget when the variables are unset', () => {
    const options = rateLimitOptionsFromEnv(validateEnv({}));
    expect(options.defaultTotalLimit).toBeUndefined();
    expect(options.defaultTotalPeriod).toBeUndefined();
  });

  it('passes headers, problem details and shadow mode on', () => {
    const env = validateEnv({
      RATE_LIMITER_HEADERS: 'ietf',
      RATE_LIMITER_PROBLEM_DETAILS: 'true',
      RATE_LIMITER_SHADOW: '1',
    });
    expect(rateLimitOptionsFromEnv(env)).toMatchObject({
      headers: 'ietf',
      problemDetails: true,
      shadow: true,
    });
    expect(rateLimitOptionsFromEnv(validateEnv({}))).toMatchObject({
      headers: 'legacy',
      problemDetails: false,
      shadow: false,
    });
  });
});
