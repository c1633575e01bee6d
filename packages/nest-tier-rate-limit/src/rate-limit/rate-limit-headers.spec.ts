import { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServer } from '@nestjs/common';
import { type RateLimitDecision, toWholeSeconds } from './rate-limit-decision.js';
import { responseHeaderSetter, writeRateLimitHeaders } from './rate-limit-headers.js';

function headersOf(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  writeRateLimitHeaders((_res, name, value) => (headers[name] = value), {}, decision);
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
  policy: { key: 'ratelimit:{user:1}:x', limit: 10, period: 60 },
  cost: 1,
  policies: [],
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

describe('responseHeaderSetter', () => {
  const adapter = (type: string, set: HttpServer['setHeader']) =>
    ({ getType: () => type, setHeader: set }) as unknown as HttpServer;

  it('sets an Express response header on the Node response itself', () => {
    const viaAdapter: unknown[] = [];
    const response = new ServerResponse(new IncomingMessage(null as never));
    const setter = responseHeaderSetter(adapter('express', (...args) => viaAdapter.push(args)));
    setter(response, 'X-RateLimit-Limit', '10');
    expect(response.getHeader('x-ratelimit-limit')).toBe('10');
    expect(viaAdapter).toEqual([]);
  });

  it('asks any other adapter to set it', () => {
    const set: Array<[unknown, string, string]> = [];
    const reply = {};
    const setter = responseHeaderSetter(adapter('fastify', (...args) => set.push(args)));
    setter(reply, 'Retry-After', '3');
    expect(set).toEqual([[reply, 'Retry-After', '3']]);
  });
});
