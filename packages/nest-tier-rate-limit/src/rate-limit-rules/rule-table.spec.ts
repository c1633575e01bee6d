import type {
  RateLimitFallback,
  RateLimitRule,
  RateLimitRuleContext,
  RateLimitWindow,
} from '../rate-limit/index.js';
import { RuleTable } from './rule-table.js';

const fixed = (limit: number, period: number): RateLimitWindow => ({
  limit,
  period,
  algorithm: 'fixed-window',
});
const keyed = (window: RateLimitWindow, keyPath: string): RateLimitRule => ({ ...window, keyPath });
/** A rule the table built from a stored row. */
const ruled = (window: RateLimitWindow, keyPath: string, name?: string): RateLimitRule => ({
  ...keyed(window, keyPath),
  source: 'rule',
  name,
});

/** The module's default total budget, as the module builds it once. */
const DEFAULT_TOTAL = keyed(fixed(1000, 3600), '*');

/** A `GET` route's fallback: its windows, and the module's default total (or none). */
function fallback(windows: RateLimitWindow[], total: RateLimitRule | undefined): RateLimitFallback {
  return { ...windows[0], windows, route: 'GET', total };
}
const ROUTE = fallback([fixed(5, 60)], DEFAULT_TOTAL);

/** A request by a caller of `tierId` (none: anonymous) to `path`. */
function request(
  tierId: number | undefined,
  path: string,
  extra: Partial<RateLimitRuleContext> = {},
): RateLimitRuleContext {
  const caller = tierId === undefined ? undefined : { id: 'u1', tierId, isSuperuser: false };
  return { caller, path, rawPath: `/${path}`, template: undefined, fallback: ROUTE, ...extra };
}

describe('RuleTable', () => {
  const table = new RuleTable([
    { tierId: 1, path: 'api_v1_widgets', limit: 10, period: 60 },
    { tierId: 1, path: 'api_v1_widgets_{id}', limit: 20, period: 60 },
    { tierId: 1, path: 'api_v1_widgets_7', limit: 3, period: 30 },
    { tierId: 2, path: 'api_v1_widgets', limit: 100, period: 60 },
    { tierId: 2, path: '/api/v1/legacy/', limit: 5, period: 10 },
  ]);

  describe('match', () => {
    it('matches the tier and the sanitized URL path first', () => {
      expect(table.match(1, 'api_v1_widgets', undefined, '/api/v1/widgets')).toEqual([
        ruled(fixed(10, 60), 'api_v1_widgets'),
      ]);
      expect(table.match(2, 'api_v1_widgets', undefined, '/api/v1/widgets')?.[0].limit).toBe(100);
      const seven = table.match(1, 'api_v1_widgets_7', 'api_v1_widgets_{id}', '/api/v1/widgets/7');
      expect(seven?.[0].limit).toBe(3);
    });

    it('falls back to the route template, keyed on the template', () => {
      expect(
        table.match(1, 'api_v1_widgets_8', 'api_v1_widgets_{id}', '/api/v1/widgets/8'),
      ).toEqual([ruled(fixed(20, 60), 'api_v1_widgets_{id}')]);
    });

    it('then to the path as received, keyed on its sanitized form', () => {
      expect(table.match(2, 'api_v1_legacy', undefined, '/api/v1/legacy/')).toEqual([
        ruled(fixed(5, 10), 'api_v1_legacy'),
      ]);
    });

    it('matches nothing for another tier or path', () => {
      expect(table.match(3, 'api_v1_widgets', undefined, '/api/v1/widgets')).toBeUndefined();
      expect(table.match(2, 'api_v1_widgets_8', 'api_v1_widgets_{id}', '/x')).toBeUndefined();
      expect(table.size).toBe(5);
    });

    it('answers the same array every time (no allocation per request)', () => {
      const a = table.match(1, 'api_v1_widgets', undefined, '');
      expect(table.match(1, 'api_v1_widgets', undefined, '')).toBe(a);
    });
  });

  describe('several periods and totals', () => {
    const periods = new RuleTable([
      { tierId: 1, path: 'api_v1_widgets', limit: 10, period: 1, name: 'burst', mode: 'enforce' },
      {
        tierId: 1,
        path: 'api_v1_widgets',
        limit: 300,
        period: 3600,
        algorithm: 'gcra',
        burst: 4,
        name: 'hourly',
        mode: 'shadow',
      },
      { tierId: 1, path: 'api_v1_other', limit: 7, period: 60 },
      { tierId: 2, path: 'api_v1_widgets', limit: 50, period: 60 },
      { tierId: 2, path: '*', limit: 500, period: 60 },
      { tierId: 2, path: '/*', limit: 9000, period: 86_400 },
      { tierId: 3, path: '*', limit: 40, period: 60 },
      // A second rule for one tier, path and period (the index forbids it): the later is dropped.
      { tierId: 3, path: '*', limit: 1, period: 60 },
    ]);
    const TIER_2_TOTALS = [ruled(fixed(500, 60), '*#60s'), ruled(fixed(9000, 86_400), '*#86400s')];

    it('keys each period of one path apart, and a lone rule on its path alone', () => {
      expect(periods.resolve(request(1, 'api_v1_widgets'))).toEqual([
        { ...ruled(fixed(10, 1), 'api_v1_widgets#1s', 'burst'), mode: 'enforce' },
        {
          ...ruled(fixed(300, 3600), 'api_v1_widgets#3600s', 'hourly'),
          algorithm: 'gcra',
          burst: 4,
          mode: 'shadow',
        },
        DEFAULT_TOTAL,
      ]);
      expect(periods.resolve(request(1, 'api_v1_other'))).toEqual([
        ruled(fixed(7, 60), 'api_v1_other'),
        DEFAULT_TOTAL,
      ]);
    });

    it("adds the tier's totals, in every spelling of *, instead of the default total", () => {
      expect(periods.resolve(request(2, 'api_v1_widgets'))).toEqual([
        ruled(fixed(50, 60), 'api_v1_widgets'),
        ...TIER_2_TOTALS,
      ]);
      expect(periods.totals(2)).toEqual(TIER_2_TOTALS);
      expect(periods.totals(3)).toEqual([ruled(fixed(40, 60), '*')]);
      expect(periods.size).toBe(7);
    });

    it("gives a tier's totals on routes it has no rule for, beside the route's own windows", () => {
      const windows = fallback([fixed(5, 60), fixed(50, 3600)], DEFAULT_TOTAL);
      expect(periods.resolve(request(2, 'api_v1_gadgets', { fallback: windows }))).toEqual([
        keyed(fixed(5, 60), 'api_v1_gadgets#GET#60s'),
        keyed(fixed(50, 3600), 'api_v1_gadgets#GET#3600s'),
        ...TIER_2_TOTALS,
      ]);
      expect(periods.resolve(request(3, 'api_v1_gadgets'))).toEqual([
        keyed(fixed(5, 60), 'api_v1_gadgets#GET'),
        ruled(fixed(40, 60), '*'),
      ]);
    });

    it('gives the default total to a tier without totals, to anonymous callers, or none', () => {
      expect(periods.resolve(request(1, 'api_v1_gadgets'))).toEqual([
        keyed(fixed(5, 60), 'api_v1_gadgets#GET'),
        DEFAULT_TOTAL,
      ]);
      expect(periods.resolve(request(undefined, 'api_v1_widgets'))).toEqual([
        keyed(fixed(5, 60), 'api_v1_widgets#GET'),
        DEFAULT_TOTAL,
      ]);
      const noDefault = fallback([fixed(5, 60)], undefined);
      expect(periods.resolve(request(1, 'api_v1_other', { fallback: noDefault }))).toEqual([
        ruled(fixed(7, 60), 'api_v1_other'),
      ]);
    });

    it("follows the default total of each request's module, remembered or not", () => {
      const other = fallback([fixed(5, 60)], keyed(fixed(7, 60), '*'));
      for (let round = 0; round < 2; round += 1) {
        expect(periods.resolve(request(1, 'api_v1_other'))).toContain(DEFAULT_TOTAL);
        expect(periods.resolve(request(1, 'api_v1_other', { fallback: other }))).toContain(
          other.total,
        );
      }
    });

    it('never reads the total as the rule of a request to /*', () => {
      const star = { rawPath: '/*', template: '*' };
      expect(periods.match(2, '*', '*', '/*')).toBeUndefined();
      expect(periods.resolve(request(2, '*', star))).toEqual([
        keyed(fixed(5, 60), '*#GET'),
        ...TIER_2_TOTALS,
      ]);
    });

    it('answers the same array for the same request in a row, and for a known path any time', () => {
      for (const [tierId, path] of [
        [1, 'api_v1_widgets'],
        [2, 'api_v1_widgets'],
        [2, 'api_v1_gadgets'],
        [3, 'api_v1_gadgets'],
        [undefined, 'api_v1_gadgets'],
      ] as const) {
        const context = request(tierId, path);
        expect(periods.resolve(context)).toBe(periods.resolve({ ...context }));
      }
      const first = periods.resolve(request(1, 'api_v1_widgets'));
      periods.resolve(request(1, 'api_v1_other'));
      expect(periods.resolve(request(1, 'api_v1_widgets'))).toBe(first);
    });
  });

  describe('shadow rules', () => {
    const shadowed = new RuleTable([
      { tierId: 1, path: 'api_v1_widgets', limit: 5, period: 60, mode: 'shadow', name: 'try' },
      { tierId: 2, path: 'api_v1_widgets', limit: 5, period: 60, mode: 'shadow', name: 'try2' },
      { tierId: 2, path: 'api_v1_widgets', limit: 50, period: 3600, mode: 'enforce', name: 'hour' },
      { tierId: 3, path: '*', limit: 100, period: 60, mode: 'shadow', name: 'all' },
      { tierId: 4, path: '*', limit: 100, period: 60, mode: 'shadow', name: 'all4' },
      { tierId: 4, path: '*', limit: 900, period: 3600, name: 'all4h' },
    ]);
    const shadow = (rule: RateLimitRule): RateLimitRule => ({ ...rule, mode: 'shadow' });

    it('tries a shadow rule out beside what applies without it: the route and the total', () => {
      expect(shadowed.resolve(request(1, 'api_v1_widgets'))).toEqual([
        shadow(ruled(fixed(5, 60), 'api_v1_widgets', 'try')),
        keyed(fixed(5, 60), 'api_v1_widgets#GET'),
        DEFAULT_TOTAL,
      ]);
      const context = request(1, 'api_v1_widgets');
      expect(shadowed.resolve(context)).toBe(shadowed.resolve({ ...context }));
    });

    it('lets an enforced rule of the path replace the route, shadow periods beside it', () => {
      expect(shadowed.resolve(request(2, 'api_v1_widgets'))).toEqual([
        shadow(ruled(fixed(5, 60), 'api_v1_widgets#60s', 'try2')),
        { ...ruled(fixed(50, 3600), 'api_v1_widgets#3600s', 'hour'), mode: 'enforce' },
        DEFAULT_TOTAL,
      ]);
    });

    it('keeps the default total beside shadow totals, on keys of their own', () => {
      expect(shadowed.resolve(request(3, 'api_v1_gadgets'))).toEqual([
        keyed(fixed(5, 60), 'api_v1_gadgets#GET'),
        DEFAULT_TOTAL,
        shadow(ruled(fixed(100, 60), '*#60s', 'all')),
      ]);
      // An enforced total among them replaces the default, as before.
      expect(shadowed.resolve(request(4, 'api_v1_gadgets'))).toEqual([
        keyed(fixed(5, 60), 'api_v1_gadgets#GET'),
        shadow(ruled(fixed(100, 60), '*#60s', 'all4')),
        ruled(fixed(900, 3600), '*#3600s', 'all4h'),
      ]);
    });
  });
});
