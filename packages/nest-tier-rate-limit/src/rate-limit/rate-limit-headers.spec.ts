import { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServer } from '@nestjs/common';
import fc from 'fast-check';
import { parseList, serializeList } from 'structured-headers';
import { ietfPolicyField, ietfStateField, policyLabel } from './ietf-headers.js';
import type { RateLimitHeaderMode } from './rate-limit-options.js';
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

describe('writeRateLimitHeaders by mode', () => {
  const burst = { key: 'ratelimit:{user:1}:x#1s', limit: 2, period: 1, name: 'burst' };
  const hour = { key: 'ratelimit:{user:1}:x#3600s', limit: 100, period: 3600, name: 'hourly' };
  const states = [
    { ...allowed, policy: burst, limit: 2, remaining: 0, resetSeconds: 1 },
    { ...allowed, policy: hour, limit: 100, remaining: 97, resetSeconds: 3599 },
  ];
  const two: RateLimitDecision = { ...states[0], ...allowed, policies: states, remaining: 0 };

  function written(decision: RateLimitDecision, mode: RateLimitHeaderMode) {
    const headers: Record<string, string> = {};
    writeRateLimitHeaders((_res, name, value) => (headers[name] = value), {}, decision, mode);
    return headers;
  }

  it('ietf: one Structured Fields item per policy, as the parser reads them', () => {
    const headers = written(two, 'ietf');
    expect(Object.keys(headers).sort()).toEqual(['RateLimit', 'RateLimit-Policy']);
    expect(parseList(headers['RateLimit-Policy'])).toEqual([
      [
        'burst',
        new Map([
          ['q', 2],
          ['w', 1],
        ]),
      ],
      [
        'hourly',
        new Map([
          ['q', 100],
          ['w', 3600],
        ]),
      ],
    ]);
    expect(parseList(headers.RateLimit)).toEqual([
      [
        'burst',
        new Map([
          ['r', 0],
          ['t', 1],
        ]),
      ],
      [
        'hourly',
        new Map([
          ['r', 97],
          ['t', 3599],
        ]),
      ],
    ]);
  });

  it('both: the legacy trio and the IETF fields; none: nothing but Retry-After', () => {
    expect(Object.keys(written(two, 'both')).sort()).toEqual([
      'RateLimit',
      'RateLimit-Policy',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ]);
    expect(written(two, 'none')).toEqual({});
    expect(written({ ...two, allowed: false, retryAfterSeconds: 1 }, 'none')).toEqual({
      'Retry-After': '1',
    });
    expect(written({ ...two, allowed: false, retryAfterSeconds: 1 }, 'ietf')).toMatchObject({
      'Retry-After': '1',
    });
  });

  it('names a policy without one `default`, and percent-encodes what a String cannot hold', () => {
    const named = (name: string | undefined): unknown =>
      parseList(
        written({ ...two, policies: [{ ...states[0], policy: { ...burst, name } }] }, 'ietf')
          .RateLimit,
      )[0][0];
    expect(named(undefined)).toBe('default');
    expect(named('größe "quoted" \\ ok')).toBe('gr%C3%B6%C3%9Fe "quoted" \\ ok');
  });

  it('writes no IETF fields for a degraded decision, which knows no policies', () => {
    expect(written({ ...allowed, degraded: true, source: 'policy' }, 'ietf')).toEqual({});
  });
});

describe('the IETF fields against structured-headers', () => {
  const state = (
    name: string,
    limit: number,
    period: number,
    remaining: number,
    reset: number,
  ) => ({
    ...allowed,
    policy: { key: `k-${name}`, limit, period, name },
    limit,
    remaining,
    resetSeconds: reset,
  });

  it('writes what serializeList writes, for any names and counts', () => {
    const int = fc.integer({ min: 0, max: 1_000_000_000 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 30, unit: 'binary' }), int, int, int, int), {
          minLength: 1,
          maxLength: 4,
          selector: ([name]) => name,
        }),
        (policies) => {
          const states = policies.map(([name, ...counts]) => state(name, ...counts));
          const label = (name: string) => policyLabel({ key: '', limit: 1, period: 1, name });
          expect(ietfPolicyField(states)).toBe(
            serializeList(
              policies.map(([name, limit, period]) => [
                label(name),
                new Map([
                  ['q', limit],
                  ['w', period],
                ]),
              ]),
            ),
          );
          expect(ietfStateField(states)).toBe(
            serializeList(
              policies.map(([name, , , remaining, reset]) => [
                label(name),
                new Map([
                  ['r', remaining],
                  ['t', reset],
                ]),
              ]),
            ),
          );
        },
      ),
    );
  });

  it('leaves shadow policies out beside enforced ones, and shows them when all are', () => {
    const enforced = state('hour', 100, 3600, 97, 3599);
    const shadow = {
      ...state('try', 2, 60, 0, 60),
      policy: { ...state('try', 2, 60, 0, 60).policy, shadow: true },
    };
    expect(parseList(ietfStateField([shadow, enforced])).map(([name]): unknown => name)).toEqual([
      'hour',
    ]);
    expect(parseList(ietfPolicyField([shadow])).map(([name]): unknown => name)).toEqual(['try']);
  });
});
