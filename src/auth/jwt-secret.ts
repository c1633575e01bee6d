/**
 * The secret used outside production when `JWT_SECRET` is unset. It is public (it is in the
 * source), so anyone can mint tokens with it: fine for a laptop, never for a server.
 */
export const DEVELOPMENT_JWT_SECRET = 'insecure-development-jwt-secret-do-not-use-in-production';

/** What {@link resolveJwtSecret} reads; an `AppEnv` fits as is. */
export interface JwtSecretEnv {
  /** `NODE_ENV`. */
  nodeEnv: string;
  /** `JWT_SECRET`; empty or absent means unset. */
  jwtSecret?: string;
}

/**
 * The HS256 secret of the demo auth, shared by the app and the token script.
 * @param warn called once when the development secret is used
 * @throws Error when `NODE_ENV=production` and `JWT_SECRET` is unset
 * @example resolveJwtSecret({ nodeEnv: 'test' }, console.warn) // DEVELOPMENT_JWT_SECRET
 */
export function resolveJwtSecret(env: JwtSecretEnv, warn: (message: string) => void): string {
  if (env.jwtSecret) return env.jwtSecret;
  if (env.nodeEnv === 'production') {
    throw new Error('JWT_SECRET is required when NODE_ENV=production');
  }
  warn(
    'JWT_SECRET is not set: using the public development secret, with which anyone can mint ' +
      'tokens. Set JWT_SECRET for any deployment.',
  );
  return DEVELOPMENT_JWT_SECRET;
}
