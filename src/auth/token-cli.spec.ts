import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import jwt from 'jsonwebtoken';
import { buildToken, main, UsageError } from '../../scripts/token.js';
import type { AuthRequest } from './authenticated-user.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { DEVELOPMENT_JWT_SECRET } from './jwt-secret.js';

const SECRET = 'token-cli-secret-0123456789';
const env = { JWT_SECRET: SECRET };

function claimsOf(token: string, secret = SECRET): jwt.JwtPayload {
  return jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
}

describe('token script', () => {
  it('signs sub, tierId and isSuperuser with JWT_SECRET, valid for 1h by default', () => {
    const claims = claimsOf(
      buildToken(['--sub', '42', '--tier-id', '2', '--superuser'], env, fail),
    );
    expect(claims).toMatchObject({ sub: '42', tierId: 2, isSuperuser: true });
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('omits tierId when not given and honours --expires-in', () => {
    const claims = claimsOf(buildToken(['--sub', 'u1', '--expires-in', '90'], env, fail));
    expect(claims).not.toHaveProperty('tierId');
    expect(claims).toMatchObject({ sub: 'u1', isSuperuser: false });
    expect(claims.exp! - claims.iat!).toBe(90);
  });

  it('uses the development secret with a warning when JWT_SECRET is unset', () => {
    const warn = jest.fn();
    const token = buildToken(['--sub', '1'], { JWT_SECRET: '' }, warn);
    expect(claimsOf(token, DEVELOPMENT_JWT_SECRET).sub).toBe('1');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it.each([
    [[]],
    [['--sub', '']],
    [['--sub', 'a b']],
    [['--sub', '1', '--tier-id', 'two']],
    [['--sub', '1', '--tier-id', '-1']],
    [['--sub', '1', '--tier-id', '2.5']],
    [['--sub', '1', '--expires-in', 'soon']],
    [['--sub', '1', '--bogus']],
  ])('rejects %j as a usage error', (argv) => {
    expect(() => buildToken(argv, env, fail)).toThrow(UsageError);
  });

  it('exits 2 on a usage error, 1 without a secret in production, 0 on success', () => {
    const io = { out: jest.fn(), err: jest.fn() };
    expect(main(['--sub', '1', '--tier-id', 'x'], env, io)).toBe(2);
    expect(io.err).toHaveBeenCalledWith(expect.stringContaining('--tier-id'));
    expect(main(['--sub', '1'], { NODE_ENV: 'production' }, io)).toBe(1);
    expect(io.out).not.toHaveBeenCalled();
    expect(main(['--sub', '1'], env, io)).toBe(0);
    expect(io.out).toHaveBeenCalledWith(expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/));
  });

  it('mints tokens that JwtAuthGuard accepts', async () => {
    const token = buildToken(['--sub', '42', '--tier-id', '2'], env, fail);
    const request: AuthRequest = { headers: { authorization: `Bearer ${token}` } };
    const guard = new JwtAuthGuard(new JwtService({ secret: SECRET }));
    await guard.canActivate(new ExecutionContextHost([request, {}]));
    expect(request.user).toEqual({ id: '42', tierId: 2, isSuperuser: false });
  });
});

function fail(message: string): never {
  throw new Error(`unexpected warning: ${message}`);
}
