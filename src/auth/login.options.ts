import type { DemoAdmin } from './demo-admin.js';

/** Lifetime of a login's token when `JWT_MAX_LIFETIME` allows it: one hour, as `npm run token`. */
export const LOGIN_TOKEN_LIFETIME = 3600;

/** Injection token of the {@link LoginOptions}; provided only when login is on. */
export const LOGIN_OPTIONS = Symbol('LOGIN_OPTIONS');

/** What `LoginController` checks credentials against and signs for. */
export interface LoginOptions {
  /** The one account that may log in. */
  admin: DemoAdmin;
  /** Seconds from issue to `exp` of the tokens it answers. */
  tokenLifetime: number;
}

/**
 * The lifetime of a login's token: {@link LOGIN_TOKEN_LIFETIME}, shortened to the longest the
 * auth accepts, so that the token it hands out is one it takes.
 * @param maxTokenLifetime the guard's maximum (see `resolveMaxTokenLifetime`); unset: none
 * @example loginTokenLifetime(600) // 600
 */
export function loginTokenLifetime(maxTokenLifetime: number | undefined): number {
  return Math.min(LOGIN_TOKEN_LIFETIME, maxTokenLifetime ?? LOGIN_TOKEN_LIFETIME);
}
