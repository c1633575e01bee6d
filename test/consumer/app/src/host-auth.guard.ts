import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

/** The host's user, as its own auth puts it on the request. */
export interface HostUser {
  id: string;
  tierId: number | null;
  isSuperuser: boolean;
}

/**
 * Stands in for the host's real auth (Passport, sessions…): `x-user: id[:tierId][:admin]`
 * becomes `request.user`; no header is anonymous.
 */
@Injectable()
export class HostAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      user?: HostUser;
    }>();
    const header = request.headers['x-user'];
    if (header !== undefined) {
      const [id, tier, role] = header.split(':');
      request.user = {
        id,
        tierId: tier ? Number(tier) : null,
        isSuperuser: role === 'admin',
      };
    }
    return true;
  }
}
