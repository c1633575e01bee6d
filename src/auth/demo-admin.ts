import { createHash, timingSafeEqual } from 'node:crypto';

/** The demo's one administrator account, from `DEMO_ADMIN_USERNAME` / `DEMO_ADMIN_PASSWORD`. */
export interface DemoAdmin {
  /** `DEMO_ADMIN_USERNAME`; also the `sub` of the tokens its logins get. */
  username: string;
  /** `DEMO_ADMIN_PASSWORD`. */
  password: string;
}

/** What {@link demoAdminFrom} reads; an `AppEnv` fits as is. */
export interface DemoAdminEnv {
  /** `DEMO_ADMIN_USERNAME`; absent means unset. */
  demoAdminUsername?: string;
  /** `DEMO_ADMIN_PASSWORD`; absent means unset. */
  demoAdminPassword?: string;
}

/**
 * The admin account when both variables are set; `undefined` (login off) otherwise.
 * @param warn called when only one of the two is set, naming the missing one (never a value)
 * @example demoAdminFrom({ demoAdminUsername: 'admin' }, console.warn) // undefined, and a warning
 */
export function demoAdminFrom(
  env: DemoAdminEnv,
  warn: (message: string) => void,
): DemoAdmin | undefined {
  const { demoAdminUsername: username, demoAdminPassword: password } = env;
  if (username !== undefined && password !== undefined) return { username, password };
  if (username !== undefined || password !== undefined) {
    const missing = username === undefined ? 'DEMO_ADMIN_USERNAME' : 'DEMO_ADMIN_PASSWORD';
    warn(`${missing} is not set: the demo login (POST /api/v1/auth/login) is off`);
  }
  return undefined;
}

/**
 * Whether `username` and `password` are the admin's, in a time that tells nothing of which one
 * differs, where, or how long either is.
 * @example isDemoAdmin({ username: 'admin', password: 's3cret' }, 'admin', 'guess') // false
 */
export function isDemoAdmin(admin: DemoAdmin, username: string, password: string): boolean {
  // Both compared every time: returning early would time which of the two was wrong.
  const sameUsername = sameText(username, admin.username);
  const samePassword = sameText(password, admin.password);
  return sameUsername && samePassword;
}

function sameText(given: string, expected: string): boolean {
  // timingSafeEqual needs equal lengths: digests have them, whatever the texts' lengths.
  return timingSafeEqual(sha256(given), sha256(expected));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
