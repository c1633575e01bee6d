import { HttpStatus } from '@nestjs/common';
import type { RateLimitDecision } from './rate-limit-decision.js';
import { RateLimitExceededException } from './rate-limit-exceeded.exception.js';

const refusal: RateLimitDecision = {
  allowed: false,
  limit: 1,
  remaining: 0,
  resetSeconds: 30,
  retryAfterSeconds: 30,
  degraded: false,
  source: 'store',
  policy: { key: 'ratelimit:{user:1}:x', limit: 1, period: 60 },
  cost: 0,
  policies: [],
};

describe('RateLimitExceededException', () => {
  it('is a 429 saying how long to wait', () => {
    const exception = new RateLimitExceededException(refusal);
    expect(exception.getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
    expect(exception.getResponse()).toEqual({
      statusCode: 429,
      message: 'Rate limit exceeded. Try again in 30 seconds.',
    });
  });

  it('captures no stack frames, and leaves the stack trace limit as it was', () => {
    const before = Error.stackTraceLimit;
    const exception = new RateLimitExceededException(refusal);
    expect(exception.stack).not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('other').stack).toMatch(/\n\s+at /);
  });
});
