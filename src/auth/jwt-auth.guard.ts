import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import type { AuthenticatedUser, AuthRequest } from './authenticated-user.js';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Demo authentication, registered globally by `AuthModule`. Without an `Authorization` header
 * the caller is anonymous (`request.user` stays `undefined`); with a valid HS256 bearer token
 * `request.user` becomes an {@link AuthenticatedUser}; anything else is a 401, never anonymous.
 * Claims: `sub` (string or number, required), `tierId` (non-negative integer or null),
 * `isSuperuser` (boolean).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  /** Sets `request.user` from the bearer token; throws `UnauthorizedException` on a bad one. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const header = request.headers.authorization;
    if (header === undefined) return true;
    const claims = await this.verify(bearerToken(header));
    request.user = userFromClaims(claims);
    return true;
  }

  private async verify(token: string): Promise<unknown> {
    try {
      // Pinned here too, so module options can never widen the accepted algorithms.
      return await this.jwt.verifyAsync<object>(token, { algorithms: ['HS256'] });
    } catch (error) {
      if (error instanceof TokenExpiredError) throw new UnauthorizedException('Token expired');
      if (error instanceof NotBeforeError) throw new UnauthorizedException('Token not yet valid');
      throw new UnauthorizedException('Invalid token');
    }
  }
}

function bearerToken(header: string | string[]): string {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (match === null) {
    throw new UnauthorizedException('Malformed Authorization header: expected "Bearer <token>"');
  }
  return match[1];
}

function userFromClaims(claims: unknown): AuthenticatedUser {
  if (typeof claims !== 'object' || claims === null) {
    throw new UnauthorizedException('Invalid token payload');
  }
  const { sub, tierId, isSuperuser } = claims as Record<string, unknown>;
  const validSub = (typeof sub === 'string' && sub !== '') || Number.isFinite(sub);
  if (!validSub) throw new UnauthorizedException('Token "sub" claim is missing or invalid');
  // Tier ids are never negative: the token script refuses them too, so one here is forged or broken.
  if (tierId != null && !(Number.isSafeInteger(tierId) && (tierId as number) >= 0)) {
    throw new UnauthorizedException('Token "tierId" claim must be a non-negative integer');
  }
  if (isSuperuser !== undefined && typeof isSuperuser !== 'boolean') {
    throw new UnauthorizedException('Token "isSuperuser" claim must be a boolean');
  }
  return {
    id: String(sub),
    tierId: (tierId as number | null | undefined) ?? null,
    isSuperuser: isSuperuser ?? false,
  };
}
