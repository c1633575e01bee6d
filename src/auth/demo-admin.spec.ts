import { jest } from '@jest/globals';
import { demoAdminFrom, isDemoAdmin } from './demo-admin.js';

describe('demoAdminFrom', () => {
  it('is the account when both variables are set, without a warning', () => {
    const warn = jest.fn();
    const env = { demoAdminUsername: 'ops', demoAdminPassword: 'p4ss' };
    expect(demoAdminFrom(env, warn)).toEqual({ username: 'ops', password: 'p4ss' });
    expect(warn).not.toHaveBeenCalled();
  });

  it('is undefined, silently, when neither is set', () => {
    const warn = jest.fn();
    expect(demoAdminFrom({}, warn)).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    [{ demoAdminUsername: 'ops-name' }, 'DEMO_ADMIN_PASSWORD', 'ops-name'],
    [{ demoAdminPassword: 'p4ss-word' }, 'DEMO_ADMIN_USERNAME', 'p4ss-word'],
  ])('turns login off when only one is set (%j), naming the other', (env, missing, value) => {
    const warn = jest.fn<(message: string) => void>();
    expect(demoAdminFrom(env, warn)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    const [message] = warn.mock.calls[0];
    expect(message).toBe(`${missing} is not set: the demo login (POST /api/v1/auth/login) is off`);
    expect(message).not.toContain(value);
  });
});

describe('isDemoAdmin', () => {
  const admin = { username: 'admin', password: 'correct horse' };

  it('accepts the exact pair', () => {
    expect(isDemoAdmin(admin, 'admin', 'correct horse')).toBe(true);
  });

  it.each([
    ['a wrong password', 'admin', 'wrong horse'],
    ['a wrong username', 'root', 'correct horse'],
    ['both wrong', 'root', 'hunter2'],
    ['a password prefix', 'admin', 'correct'],
    ['a longer password', 'admin', 'correct horse!'],
    ['another letter case', 'Admin', 'correct horse'],
    ['the fields swapped', 'correct horse', 'admin'],
    ['empty strings', '', ''],
  ])('refuses %s', (_case, username, password) => {
    expect(isDemoAdmin(admin, username, password)).toBe(false);
  });

  it('compares Unicode text exactly, with no normalization', () => {
    const accented = { username: 'zoé', password: 'pässword' };
    expect(isDemoAdmin(accented, 'zoé', 'pässword')).toBe(true);
    expect(isDemoAdmin(accented, 'zoe\u0301', 'pässword')).toBe(false);
  });
});
