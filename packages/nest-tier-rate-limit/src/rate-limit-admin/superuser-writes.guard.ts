import {
  type CanActivate,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { RATE_LIMIT_OPTIONS, type ResolvedRateLimitOptions } from '../rate-limit/index.js';
import {
  RATE_LIMIT_ADMIN_OPTIONS,
  type RateLimitAdminModuleOptions,
} from './rate-limit-admin.options.js';

/**
 * Decides who may write through the admin API: the host's `canWrite` when it gave one, else
 * superusers, read through the limiter's own caller resolver so that the admin API follows the
 * host's auth (401 without a caller, 403 for anyone else).
 */
@Injectable()
export class SuperuserWritesGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions,
    @Optional()
    @Inject(RATE_LIMIT_ADMIN_OPTIONS)
    private readonly admin: RateLimitAdminModuleOptions = {},
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<unknown>();
    if (this.admin.canWrite !== undefined) {
      if (await this.admin.canWrite(request)) return true;
      throw new ForbiddenException('Not allowed to change rate limits and tiers');
    }
    const caller = this.options.callerResolver(request);
    if (caller === undefined) throw new UnauthorizedException('A bearer token is required');
    if (!caller.isSuperuser)
      throw new ForbiddenException('Only a superuser may change rate limits and tiers');
    return true;
  }
}

/**
 * A write of the admin API: superusers only, or whom the host's `canWrite` admits (documented as
 * bearer auth, 401 and 403 by `documentRateLimitAdmin`).
 */
export const SuperuserWrite = () => UseGuards(SuperuserWritesGuard);
