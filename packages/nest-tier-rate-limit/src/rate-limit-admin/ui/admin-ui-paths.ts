/** `'/api/v1'` from `'api/v1/'` and `''`: a base path without a trailing slash, `''` for the root. */
export function joinPath(...parts: string[]): string {
  const segments = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '');
  return segments.map((segment) => `/${segment}`).join('');
}

/**
 * The sign-in form's target: a path from the root as given (`/auth/login`), or relative to the
 * app's global prefix (`auth/login` → `/api/v1/auth/login`); null when there is none.
 * @throws Error when it names a scheme or a host: the page talks to its own origin only
 */
export function adminLoginUrl(loginUrl: string | undefined, prefixBase: string): string | null {
  if (loginUrl === undefined) return null;
  assertAdminLoginUrl(loginUrl);
  return loginUrl.startsWith('/') ? loginUrl : `${prefixBase}/${loginUrl}`;
}

/** An origin no login URL can name, to see where a browser would resolve one. */
const PROBE = 'http://admin-page.invalid';

/**
 * Refuses a login URL that is empty, or that a browser would resolve to another origin (a
 * scheme, `//host`, `\host`, or tabs and line breaks that URL parsing drops, as in `/\t/host`).
 */
export function assertAdminLoginUrl(loginUrl: string): void {
  const resolved = new URL(loginUrl, `${PROBE}/prefix/`);
  if (loginUrl.trim() === '' || resolved.origin !== PROBE || /[\s\\]/.test(loginUrl)) {
    throw new Error(
      `RateLimitAdminModule ui.loginUrl must be a path on this origin (got "${loginUrl}")`,
    );
  }
}
