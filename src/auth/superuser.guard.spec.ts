import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import { SuperuserGuard } from './superuser.guard.js';

const guard = new SuperuserGuard();

function check(user?: AuthenticatedUser): boolean {
  return guard.canActivate(new ExecutionContextHost([{ headers: {}, user }, {}]));
}

describe('SuperuserGuard', () => {
  it('answers 401 without a user', () => {
    expect(() => check()).toThrow(UnauthorizedException);
  });

  it('answers 403 for a user who is not a superuser', () => {
    expect(() => check({ id: '1', tierId: 2, isSuperuser: false })).toThrow(ForbiddenException);
  });

  it('lets a superuser through', () => {
    expect(check({ id: '1', tierId: null, isSuperuser: true })).toBe(true);
  });
});
