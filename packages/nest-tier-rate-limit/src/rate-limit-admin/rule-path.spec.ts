import { BadRequestException } from '@nestjs/common';
import { normalizeRulePath } from './rule-path.js';

describe('normalizeRulePath', () => {
  it.each([
    ['/api/v1/widgets/:id', 'api_v1_widgets_{id}'],
    ['/api/v1/widgets/{id}', 'api_v1_widgets_{id}'],
    ['api_v1_widgets', 'api_v1_widgets'],
    ['/api/v1/widgets?page=2', 'api_v1_widgets'],
    ['*', '*'],
    ['/*', '*'],
  ])('stores %s as %s', (given, stored) => {
    expect(normalizeRulePath(given)).toBe(stored);
  });

  it('stores what it returns unchanged when given it back', () => {
    for (const given of ['/api/v1/widgets/:id', '/v1/items:batch_get', '/a/{b}/c', '/*']) {
      const stored = normalizeRulePath(given);
      expect(normalizeRulePath(stored)).toBe(stored);
    }
  });

  it.each(['/api/:/x', '/api/x:', '/api/:-id', '/', '/*x', 'a*b', '/api/*', '**', '/*/*'])(
    'refuses %s with a 400 naming path',
    (given) => {
      const error = thrownBy(() => normalizeRulePath(given));
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).getResponse()).toMatchObject({
        message: [expect.stringMatching(/^path /)],
      });
    },
  );
});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
