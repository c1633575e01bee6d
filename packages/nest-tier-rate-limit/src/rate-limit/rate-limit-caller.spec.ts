import { defaultCallerResolver } from './rate-limit-caller.js';

describe('defaultCallerResolver', () => {
  it('is anonymous without a user', () => {
    expect(defaultCallerResolver({})).toBeUndefined();
    expect(defaultCallerResolver({ user: null })).toBeUndefined();
    expect(defaultCallerResolver({ user: { name: 'no id' } })).toBeUndefined();
  });

  it('reads camelCase fields', () => {
    expect(defaultCallerResolver({ user: { id: 7, tierId: 2, isSuperuser: true } })).toEqual({
      id: '7',
      tierId: 2,
      isSuperuser: true,
    });
  });

  it('reads JWT and snake_case fields', () => {
    expect(
      defaultCallerResolver({ user: { sub: 'u-1', tier_id: '3', is_superuser: true } }),
    ).toEqual({
      id: 'u-1',
      tierId: 3,
      isSuperuser: true,
    });
  });

  it('treats a missing or malformed tier as none and only `true` as superuser', () => {
    expect(defaultCallerResolver({ user: { id: 'a', tierId: 2.5, isSuperuser: 'yes' } })).toEqual({
      id: 'a',
      tierId: null,
      isSuperuser: false,
    });
  });
});
