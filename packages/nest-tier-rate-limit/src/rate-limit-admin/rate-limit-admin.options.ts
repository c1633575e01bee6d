/** Options of `RateLimitAdminModule.forRoot()`. */
export interface RateLimitAdminModuleOptions {
  /**
   * Where `/rate-limits` and `/tiers` are mounted, below the app's global prefix: `'admin'`
   * serves `/admin/rate-limits`. Empty: at the prefix itself.
   * @default ''
   */
  path?: string;
  /**
   * Who may create, change and delete rules and tiers: answer `true` to allow, `false` for a
   * 403, or throw an `HttpException` of your own (a 401, say). Reads stay open to anyone.
   * @default a caller (as the limiter's `callerResolver` reads it) with `isSuperuser`; 401
   * without a caller, 403 for anyone else
   * @example canWrite: (request) => (request as { user?: User }).user?.roles.includes('ops') === true
   */
  canWrite?: (request: unknown) => boolean | Promise<boolean>;
  /**
   * Serves the admin web page at `admin` beside the admin API (`/api/v1/admin` for an API at
   * `/api/v1`): `true`, or its settings. Its scripts and styles come from the app itself.
   * @default false
   */
  ui?: boolean | RateLimitAdminUiOptions;
}

/** Settings of the admin web page (`ui` of {@link RateLimitAdminModuleOptions}). */
export interface RateLimitAdminUiOptions {
  /**
   * Where the page's sign-in form posts `{ "username", "password" }`, answered with
   * `{ "accessToken" }` (a bearer token for the admin API): a path from the root (`/auth/login`)
   * or relative to the app's global prefix (`auth/login`). Unset: operators paste a token instead.
   * @default undefined
   */
  loginUrl?: string;
}

/** Injection token of the {@link RateLimitAdminModuleOptions}. */
export const RATE_LIMIT_ADMIN_OPTIONS = Symbol('RATE_LIMIT_ADMIN_OPTIONS');
