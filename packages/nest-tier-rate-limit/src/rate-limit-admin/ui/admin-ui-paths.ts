/** `'/api/v1'` from `'api/v1/'` and `''`: a base path without a trailing slash, `''` for the root. */
export function joinPath(...parts: string[]): string {
  const segments = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '');
  return segments.map((segment) => `/${segment}`).join('');
}

/**
 * The sign-in form's target: a path from the root as given (`/auth/login`), or relative to the
 * admin API's base (`auth/login` → `/api/v1/auth/login`); null when there is none.
 * @throws Error when it names a scheme or a host: the page talks to its own origin only
 */
export function adminLoginUrl(loginUrl: string | undefined, apiBase: string): string | null {
  if (loginUrl === undefined) return null;
  assertAdminLoginUrl(loginUrl);
  return loginUrl.startsWith('/') ? loginUrl : `${apiBase}/${loginUrl}`;
}

/** Refuses a login URL with a scheme or a host, or that is empty. */
export function assertAdminLoginUrl(loginUrl: string): void {
  if (loginUrl === '' || /^[a-z][a-z0-9+.-]*:|^\/\/|\\/i.test(loginUrl)) {
    throw new Error(
      `RateLimitAdminModule ui.loginUrl must be a path on this origin (got "${loginUrl}")`,
    );
  }
}
