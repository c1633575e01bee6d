import {
  type CanActivate,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { RATE_LIMIT_OPTIONS, type ResolvedRateLimitOptions } from '../rate-limit/index.js';

/**
 * Admits only superusers, read through the limiter's own caller resolver so that the admin API
 * follows the host's auth: 401 without a caller, 403 for anyone else.
 */
@Injectable()
export class SuperuserWritesGuard implements CanActivate {
  constructor(@Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const caller = this.options.callerResolver(context.switchToHttp().getRequest());
    if (caller === undefined) throw new UnauthorizedException('A bearer token is required');
    if (!caller.isSuperuser)
      throw new ForbiddenException('Only a superuser may change rate limits and tiers');
    return true;
  }
}

/**
 * A write of the admin API: superusers only (documented as bearer auth, 401 and 403 by
 * `documentRateLimitAdmin`).
 */
export const SuperuserWrite = () => UseGuards(SuperuserWritesGuard);
