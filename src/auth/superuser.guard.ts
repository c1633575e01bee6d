import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { AuthRequest } from './authenticated-user.js';

/**
 * Lets only superusers through: no user is a 401, a user without `isSuperuser` a 403.
 * Relies on `JwtAuthGuard` (global, so it runs first) having set `request.user`.
 * @example @UseGuards(SuperuserGuard) @Post() create() {}
 */
@Injectable()
export class SuperuserGuard implements CanActivate {
  /** `true` for a superuser; throws otherwise. */
  canActivate(context: ExecutionContext): boolean {
    const { user } = context.switchToHttp().getRequest<AuthRequest>();
    if (user === undefined) throw new UnauthorizedException('Authentication required');
    if (!user.isSuperuser) throw new ForbiddenException('Superuser privileges required');
    return true;
  }
}
