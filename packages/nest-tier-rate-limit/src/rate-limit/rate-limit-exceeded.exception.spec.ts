import { HttpStatus } from '@nestjs/common';
import type { RateLimitDecision } from './rate-limit-decision.js';
import {
  PRECAUTIONARY_DENIAL_PROBLEM_TYPE,
  RateLimitExceededException,
} from './rate-limit-exceeded.exception.js';

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

describe('RateLimitExceededException with problem details', () => {
  const burst = { key: 'k1', limit: 1, period: 1, name: 'burst' };
  const hourly = { key: 'k2', limit: 100, period: 3600, name: 'hourly' };
  const trial = { key: 'k3', limit: 1, period: 60, name: 'trial', shadow: true };
  const state = (policy: typeof burst, allowed: boolean) => ({
    ...refusal,
    policy,
    allowed,
    limit: policy.limit,
  });

  it('is an RFC 9457 quota-exceeded problem naming the enforced policies that refused', () => {
    const decision: RateLimitDecision = {
      ...refusal,
      policies: [state(burst, false), state(hourly, true), state(trial, false)],
    };
    expect(new RateLimitExceededException(decision, true).getResponse()).toEqual({
      type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
      title: 'Request cannot be satisfied as assigned quota has been exceeded',
      status: 429,
      detail: 'Rate limit exceeded. Try again in 30 seconds.',
      'violated-policies': ['burst'],
    });
  });

  it('gives a refusal made as a precaution a type of its own', () => {
    const degraded = { ...refusal, degraded: true, source: 'policy' as const };
    expect(new RateLimitExceededException(degraded, true).getResponse()).toEqual({
      type: PRECAUTIONARY_DENIAL_PROBLEM_TYPE,
      title: 'Access denied as a precaution',
      status: 429,
      detail: 'Access denied as a precaution',
    });
    expect(new RateLimitExceededException(degraded).getResponse()).toEqual({
      statusCode: 429,
      message: 'Access denied as a precaution',
    });
  });
});
