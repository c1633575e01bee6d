import {
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JsonWebTokenError, JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import type { Jwt } from 'jsonwebtoken';
import type { AuthenticatedUser, AuthRequest } from './authenticated-user.js';
import { rejectCriticalHeader } from './critical-header.js';
import { SKIP_JWT_AUTH } from './skip-jwt-auth.decorator.js';
import { tokenLifetimeProblem } from './token-lifetime.js';

const BEARER = /^Bearer +(\S+) *$/i;

/** Injection token of the {@link JwtAuthGuardOptions}; optional (no limit, real clock). */
export const JWT_AUTH_GUARD_OPTIONS = Symbol('JWT_AUTH_GUARD_OPTIONS');

/** Options of {@link JwtAuthGuard}. */
export interface JwtAuthGuardOptions {
  /**
   * Longest token lifetime accepted, in seconds (see `tokenLifetimeProblem`): when set, a token
   * needs a finite `exp`. Unset: no limit, a token without `exp` never expires.
   * @default undefined
   */
  maxTokenLifetime?: number;
  /** Clock for `exp`, `nbf` and the lifetime, in ms since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * Demo authentication, registered globally by `AuthModule`. Without an `Authorization` header
 * the caller is anonymous (`request.user` stays `undefined`); with a valid HS256 bearer token
 * `request.user` becomes an {@link AuthenticatedUser}; anything else is a 401, never anonymous.
 * Claims: `sub` (string or number, required), `tierId` (non-negative integer or null),
 * `isSuperuser` (boolean); a header with `crit` is refused (we support no extension).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    @Optional()
    @Inject(JWT_AUTH_GUARD_OPTIONS)
    private readonly options: JwtAuthGuardOptions = {},
    @Optional() private readonly reflector?: Reflector,
  ) {}

  /** Sets `request.user` from the bearer token; throws `UnauthorizedException` on a bad one. */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const skip = this.reflector?.getAllAndOverride<boolean>(SKIP_JWT_AUTH, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (skip === true) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const header = request.headers.authorization;
    if (header === undefined) return true;
    const now = Math.floor((this.options.now ?? Date.now)() / 1000);
    const token = await this.verify(bearerToken(header), now);
    // Checked once the signature holds, so a forger learns nothing beyond "Invalid token".
    rejectCriticalHeader(token.header);
    const claims = claimsOf(token.payload);
    this.checkLifetime(claims, now);
    request.user = userFromClaims(claims);
    return true;
  }

  private checkLifetime(claims: Record<string, unknown>, now: number): void {
    const max = this.options.maxTokenLifetime;
    // No maximum (outside production unless JWT_MAX_LIFETIME is set): a token may lack exp.
    if (max === undefined) return;
    const problem = tokenLifetimeProblem(claims, max, now);
    if (problem !== undefined) throw new UnauthorizedException(problem);
  }

  private async verify(token: string, now: number): Promise<Jwt> {
    try {
      // Pinned here too, so module options can never widen the accepted algorithms.
      const options = { algorithms: ['HS256' as const], complete: true, clockTimestamp: now };
      return await this.jwt.verifyAsync<Jwt>(token, options);
    } catch (error) {
      if (error instanceof TokenExpiredError) throw new UnauthorizedException('Token expired');
      if (error instanceof NotBeforeError) throw new UnauthorizedException('Token not yet valid');
      const claim = badTimeClaim(error);
      if (claim) throw new UnauthorizedException(`Token "${claim}" claim must be a number`);
      throw new UnauthorizedException('Invalid token');
    }
  }
}

// jsonwebtoken reports a signed but non-numeric exp or nbf only by its message.
function badTimeClaim(error: unknown): string | undefined {
  if (!(error instanceof JsonWebTokenError)) return undefined;
  return /^invalid (exp|nbf) value$/.exec(error.message)?.[1];
}

function bearerToken(header: string | string[]): string {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (match === null) {
    throw new UnauthorizedException('Malformed Authorization header: expected "Bearer <token>"');
  }
  return match[1];
}

function claimsOf(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null) {
    throw new UnauthorizedException('Invalid token payload');
  }
  return payload as Record<string, unknown>;
}

function userFromClaims(claims: Record<string, unknown>): AuthenticatedUser {
  const { sub, tierId, isSuperuser } = claims;
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
