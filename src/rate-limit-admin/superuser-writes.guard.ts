import {
  applyDecorators,
  type CanActivate,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
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

/** A write of the admin API: superusers only, and documented so (bearer auth, 401, 403). */
export const SuperuserWrite = () =>
  applyDecorators(
    UseGuards(SuperuserWritesGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse(),
    ApiForbiddenResponse(),
  );
