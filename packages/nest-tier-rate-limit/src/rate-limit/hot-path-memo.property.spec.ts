import fc from 'fast-check';
import { buildRateLimitKey, RateLimitKeyBuilder } from './rate-limit-key.js';
import {
  fallbackRules,
  type RateLimitFallback,
  type RateLimitRule,
  type RateLimitRuleContext,
} from './rate-limit-rule.js';
import { RouteTemplate } from './route-template.js';

// The hot path remembers its last answer; these show that a remembered answer is never stale.

const TEMPLATES = ['/w/:id', '/u/:user/w/:id', '/w{/:id}', '/w{.json}', '/files/*path', '/f/*'];
/** Values as routers hand them over, plus the odd ones a custom router or a test might. */
const value = fc.oneof(
  fc.constantFrom('1', '01', 'A', 'a', '', '..', 'x/y'),
  fc.string({ maxLength: 4 }),
  fc.constant(undefined),
  fc.constant(null),
  fc.array(fc.constantFrom('a', 'B', '..'), { maxLength: 3 }),
);
const params = fc.dictionary(fc.constantFrom('id', 'user', 'path', '*', 'toString'), value);

describe('hot-path memos (property)', () => {
  it('RouteTemplate gives every request the path a fresh template would', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES), fc.array(params, { maxLength: 8 }), (t, runs) => {
        const template = new RouteTemplate(t);
        for (const run of runs) {
          const path = template.path(run);
          const fresh = new RouteTemplate(t);
          expect(path).toBe(fresh.path(run));
          if (path !== undefined)
            expect(template.sanitizedPath(path)).toBe(fresh.sanitizedPath(path));
        }
      }),
    );
  });

  it('RouteTemplate reads a wildcard array afresh even when the same array is changed', () => {
    const template = new RouteTemplate('/files/*path');
    const segments = ['a'];
    expect(template.path({ path: segments })).toBe('/files/a');
    segments.push('b');
    expect(template.path({ path: segments })).toBe('/files/a/b');
  });

  it('RateLimitKeyBuilder builds exactly the keys of buildRateLimitKey, in any order', () => {
    const part = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.string({ minLength: 120, maxLength: 140 }),
    );
    const call = fc.tuple(fc.constantFrom('user' as const, 'ip' as const), part, part);
    fc.assert(
      fc.property(fc.array(call, { maxLength: 10 }), (calls) => {
        const builder = new RateLimitKeyBuilder('rl');
        for (const [kind, caller, path] of calls)
          expect(builder.build(kind, caller, path)).toBe(
            buildRateLimitKey('rl', kind, caller, path),
          );
      }),
    );
  });

  it('fallbackRules keys every request on its own path and route, in any order', () => {
    const total: RateLimitRule = { limit: 99, period: 3600, algorithm: 'gcra', keyPath: '*' };
    // Fallbacks are built once per route: requests reuse them, so the memo gets hits.
    const fallback = fc.record({
      route: fc.constantFrom('GET', 'POST', 'GET@a'),
      limit: fc.integer({ min: 1, max: 9 }),
      periods: fc.subarray([1, 60, 3600], { minLength: 1 }),
      total: fc.constantFrom(total, undefined),
    });
    const request = fc.record({ path: fc.constantFrom('a', 'b', 'a#GET'), route: fc.nat() });
    fc.assert(
      fc.property(
        fc.array(fallback, { minLength: 1, maxLength: 4 }),
        fc.array(request, { maxLength: 10 }),
        (shapes, requests) => {
          const routes = shapes.map(({ route, limit, periods, total }): RateLimitFallback => {
            const windows = periods.map((period) => ({
              limit,
              period,
              algorithm: 'fixed-window' as const,
            }));
            return { ...windows[0], windows, route, total };
          });
          for (const { path, route: index } of requests) {
            const { route, windows, total } = routes[index % routes.length];
            const context = {
              path,
              fallback: routes[index % routes.length],
            } as RateLimitRuleContext;
            // One window is keyed on path and route; several also on their periods.
            const suffix = (period: number) => (windows.length === 1 ? '' : `#${period}s`);
            const own = windows.map((w) => ({
              ...w,
              keyPath: `${path}#${route}${suffix(w.period)}`,
            }));
            const rules = fallbackRules(context);
            expect(rules).toEqual(total === undefined ? own : [...own, total]);
            expect(fallbackRules({ ...context })).toBe(rules);
          }
        },
      ),
    );
  });
});
