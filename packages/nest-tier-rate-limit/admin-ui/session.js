/** Where the token is kept: this tab only, gone when it closes, never sent by the browser itself. */
const KEY = 'rate-limit-admin.token';

/** The operator's bearer token, in `sessionStorage` (not a cookie: no request carries it unasked). */
export class Session {
  get token() {
    return sessionStorage.getItem(KEY);
  }

  /** @param {string} token */
  signIn(token) {
    sessionStorage.setItem(KEY, token);
  }

  signOut() {
    sessionStorage.removeItem(KEY);
  }

  /** Who the token says it is, when it is a JWT: `admin (superuser)`; else null. */
  describe() {
    const claims = jwtClaims(this.token);
    if (claims === null || claims.sub === undefined) return null;
    return `${claims.sub}${claims.isSuperuser === true ? ' (superuser)' : ''}`;
  }
}

/**
 * A JWT's payload, read without checking it (the API checks it); null for anything else.
 * @param {string | null} token
 */
function jwtClaims(token) {
  const payload = token?.split('.')[1];
  if (payload === undefined) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? claims : null;
  } catch {
    return null;
  }
}
