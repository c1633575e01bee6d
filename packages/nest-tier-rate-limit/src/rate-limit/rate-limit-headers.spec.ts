import type { HttpServer } from '@nestjs/common';
import { type RateLimitDecision, toWholeSeconds } from './rate-limit-decision.js';
import { writeRateLimitHeaders } from './rate-limit-headers.js';

function headersOf(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  const adapter = {
    setHeader: (_res: unknown, name: string, value: string) => (headers[name] = value),
  };
  writeRateLimitHeaders(adapter as unknown as HttpServer, {}, decision);
  return headers;
}

const allowed: RateLimitDecision = {
  allowed: true,
  limit: 10,
  remaining: 7,
  resetSeconds: 42,
  retryAfterSeconds: 0,
  degraded: false,
  source: 'store',
};

describe('toWholeSeconds', () => {
  it('rounds up so that a client waiting that long is never early', () => {
    expect([0, -5, 1, 999, 1000, 1001, 59_999].map(toWholeSeconds)).toEqual([0, 0, 1, 1, 1, 2, 60]);
  });
});

describe('writeRateLimitHeaders', () => {
  it('writes limit, remaining and reset on an allowed request', () => {
    expect(headersOf(allowed)).toEqual({
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '7',
      'X-RateLimit-Reset': '42',
    });
  });

  it('adds Retry-After on a refusal', () => {
    expect(headersOf({ ...allowed, allowed: false, remaining: 0, retryAfterSeconds: 42 })).toEqual({
      'X-RateLimit-Limit': '10',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '42',
      'Retry-After': '42',
    });
  });

  it('writes no counts for a degraded decision', () => {
    expect(headersOf({ ...allowed, degraded: true, source: 'policy' })).toEqual({});
    expect(
      headersOf({
        ...allowed,
        degraded: true,
        source: 'policy',
        allowed: false,
        retryAfterSeconds: 1,
      }),
    ).toEqual({
      'Retry-After': '1',
    });
  });
});
