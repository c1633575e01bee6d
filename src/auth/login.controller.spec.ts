import { UnauthorizedException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import type { AuthRequest } from './authenticated-user.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { LoginController } from './login.controller.js';
import { LOGIN_TOKEN_LIFETIME, loginTokenLifetime } from './login.options.js';

const SECRET = 'login-spec-secret-0123456789';
const admin = { username: 'ops', password: 'correct horse' };
const jwtService = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256' } });
const controller = new LoginController(jwtService, { admin, tokenLifetime: 600 });

async function rejection(username: string, password: string): Promise<unknown> {
  return controller.login({ username, password }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
}

describe('LoginController', () => {
  it('answers a superuser token for the admin, sub = the username, no tier', async () => {
    const { accessToken } = await controller.login({ ...admin });
    const claims = jwt.verify(accessToken, SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toEqual({ sub: 'ops', isSuperuser: true, iat: claims.iat, exp: claims.exp });
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('mints a token the auth guard accepts under the same maximum lifetime', async () => {
    const { accessToken } = await controller.login({ ...admin });
    const guard = new JwtAuthGuard(jwtService, { maxTokenLifetime: 600 });
    const request: AuthRequest = { headers: { authorization: `Bearer ${accessToken}` } };
    await expect(guard.canActivate(new ExecutionContextHost([request, {}]))).resolves.toBe(true);
    expect(request.user).toEqual({ id: 'ops', tierId: null, isSuperuser: true });
  });

  it('answers the same 401 for a wrong username and a wrong password', async () => {
    const wrongUser = await rejection('root', admin.password);
    const wrongPassword = await rejection(admin.username, 'hunter2');
    expect(wrongUser).toBeInstanceOf(UnauthorizedException);
    expect(wrongPassword).toBeInstanceOf(UnauthorizedException);
    expect((wrongUser as UnauthorizedException).getResponse()).toEqual(
      (wrongPassword as UnauthorizedException).getResponse(),
    );
    expect((wrongUser as Error).message).toBe('Invalid username or password');
  });
});

describe('loginTokenLifetime', () => {
  it.each([
    [undefined, LOGIN_TOKEN_LIFETIME],
    [86_400, LOGIN_TOKEN_LIFETIME],
    [LOGIN_TOKEN_LIFETIME, LOGIN_TOKEN_LIFETIME],
    [600, 600],
  ])('with a maximum of %p seconds is %i', (max, expected) => {
    expect(LOGIN_TOKEN_LIFETIME).toBe(3600);
    expect(loginTokenLifetime(max)).toBe(expected);
  });
});
