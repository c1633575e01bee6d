import { RuleTable } from './rule-table.js';

describe('RuleTable', () => {
  const table = new RuleTable([
    { tierId: 1, path: 'api_v1_widgets', limit: 10, period: 60 },
    { tierId: 1, path: 'api_v1_widgets_{id}', limit: 20, period: 60 },
    { tierId: 1, path: 'api_v1_widgets_7', limit: 3, period: 30 },
    { tierId: 2, path: 'api_v1_widgets', limit: 100, period: 60 },
    { tierId: 2, path: '/api/v1/legacy/', limit: 5, period: 10 },
  ]);

  it('matches the tier and the sanitized URL path first', () => {
    expect(table.match(1, 'api_v1_widgets', undefined, '/api/v1/widgets')).toEqual({
      limit: 10,
      period: 60,
      algorithm: 'fixed-window',
      keyPath: 'api_v1_widgets',
    });
    expect(table.match(2, 'api_v1_widgets', undefined, '/api/v1/widgets')?.limit).toBe(100);
    expect(
      table.match(1, 'api_v1_widgets_7', 'api_v1_widgets_{id}', '/api/v1/widgets/7')?.limit,
    ).toBe(3);
  });

  it('falls back to the route template, keyed on the template', () => {
    expect(table.match(1, 'api_v1_widgets_8', 'api_v1_widgets_{id}', '/api/v1/widgets/8')).toEqual({
      limit: 20,
      period: 60,
      algorithm: 'fixed-window',
      keyPath: 'api_v1_widgets_{id}',
    });
  });

  it('then to the path as received, keyed on its sanitized form', () => {
    expect(table.match(2, 'api_v1_legacy', undefined, '/api/v1/legacy/')).toEqual({
      limit: 5,
      period: 10,
      algorithm: 'fixed-window',
      keyPath: 'api_v1_legacy',
    });
  });

  it('matches nothing for another tier or path', () => {
    expect(table.match(3, 'api_v1_widgets', undefined, '/api/v1/widgets')).toBeUndefined();
    expect(table.match(2, 'api_v1_widgets_8', 'api_v1_widgets_{id}', '/x')).toBeUndefined();
    expect(table.size).toBe(5);
  });

  it('answers the same object every time (no allocation per request)', () => {
    const a = table.match(1, 'api_v1_widgets', undefined, '');
    expect(table.match(1, 'api_v1_widgets', undefined, '')).toBe(a);
  });
});
