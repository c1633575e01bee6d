/**
 * Longest token lifetime in production when `JWT_MAX_LIFETIME` is unset: 24 hours. The demo
 * has no revocation, so `exp` is the only end of a leaked token; a day covers a working day or
 * a nightly job with one token, and is 24 times the token script's default of one hour.
 */
export const DEFAULT_JWT_MAX_LIFETIME = 86_400;

/** What {@link resolveMaxTokenLifetime} reads; an `AppEnv` fits as is. */
export interface TokenLifetimeEnv {
  /** `NODE_ENV`. */
  nodeEnv: string;
  /** `JWT_MAX_LIFETIME`, in seconds; absent means unset. */
  jwtMaxLifetime?: number;
}

/**
 * The longest lifetime the demo auth accepts, in seconds, or `undefined` for no limit (tokens
 * without `exp` accepted): `JWT_MAX_LIFETIME` when set, else 24 h in production, else no limit.
 * @example resolveMaxTokenLifetime({ nodeEnv: 'production' }) // 86400
 */
export function resolveMaxTokenLifetime(env: TokenLifetimeEnv): number | undefined {
  if (env.jwtMaxLifetime !== undefined) return env.jwtMaxLifetime;
  return env.nodeEnv === 'production' ? DEFAULT_JWT_MAX_LIFETIME : undefined;
}

/**
 * Why a token breaks the lifetime rule, or `undefined` when it keeps it. The rule: a finite `exp`
 * at most `maxLifetime` seconds after `now`, and, when `iat` is present, `exp - iat` no longer
 * either; so omitting `iat` cannot buy a longer token, nor can backdating it.
 * @param now the current time, in seconds since the epoch
 * @returns a message naming the claim at fault, or the maximum exceeded
 * @example tokenLifetimeProblem({ exp: 1e308 }, 86_400, 0) // 'Token lifetime exceeds …'
 */
export function tokenLifetimeProblem(
  claims: Record<string, unknown>,
  maxLifetime: number,
  now: number,
): string | undefined {
  const { exp, iat } = claims;
  if (exp === undefined) return 'Token "exp" claim is required';
  if (!isFiniteNumber(exp)) return 'Token "exp" claim must be a finite number';
  if (iat !== undefined && !isFiniteNumber(iat)) return 'Token "iat" claim must be a finite number';
  const lifetime = Math.max(exp - now, iat === undefined ? 0 : exp - iat);
  if (lifetime > maxLifetime) return `Token lifetime exceeds the maximum of ${maxLifetime} seconds`;
  return undefined;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
