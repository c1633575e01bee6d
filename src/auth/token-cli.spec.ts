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

  it.each([
    ['1.5h', 5400],
    ['90m', 5400],
    ['2 days', 172_800],
    ['1w', 604_800],
    ['1500ms', 1],
  ])('reads the timespan --expires-in %s as %i seconds', (expiresIn, seconds) => {
    const token = buildToken(['--sub', '1', '--expires-in', expiresIn], env, jest.fn());
    const claims = claimsOf(token);
    expect(claims.exp! - claims.iat!).toBe(seconds);
  });

  it.each([
    ['production, default maximum', { ...env, NODE_ENV: 'production' }, '86401', /86400/],
    ['production, default maximum', { ...env, NODE_ENV: 'production' }, '2d', /86400/],
    [
      'production, JWT_MAX_LIFETIME',
      { ...env, NODE_ENV: 'production', JWT_MAX_LIFETIME: '600' },
      '11m',
      /600/,
    ],
    ['development, JWT_MAX_LIFETIME set', { ...env, JWT_MAX_LIFETIME: '600' }, '601', /600/],
  ])('refuses an --expires-in the app would refuse (%s: %s)', (_case, tokenEnv, expiresIn, max) => {
    const mint = () => buildToken(['--sub', '1', '--expires-in', expiresIn], tokenEnv, fail);
    expect(mint).toThrow(UsageError);
    expect(mint).toThrow(max);
  });

  it('mints up to the maximum in production', () => {
    const production = { ...env, NODE_ENV: 'production', JWT_MAX_LIFETIME: '600' };
    const claims = claimsOf(buildToken(['--sub', '1', '--expires-in', '10m'], production, fail));
    expect(claims.exp! - claims.iat!).toBe(600);
    const byDefault = { ...env, NODE_ENV: 'production' };
    const day = claimsOf(buildToken(['--sub', '1', '--expires-in', '24h'], byDefault, fail));
    expect(day.exp! - day.iat!).toBe(86_400);
  });

  it('outside production mints a longer token but warns that production refuses it', () => {
    const warn = jest.fn();
    const claims = claimsOf(buildToken(['--sub', '1', '--expires-in', '7d'], env, warn));
    expect(claims.exp! - claims.iat!).toBe(7 * 86_400);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/production.*JWT_MAX_LIFETIME.*86400/));
  });

  it('exits 1 on an invalid JWT_MAX_LIFETIME, naming it', () => {
    const io = { out: jest.fn(), err: jest.fn() };
    expect(main(['--sub', '1'], { ...env, JWT_MAX_LIFETIME: '1h' }, io)).toBe(1);
    expect(io.err).toHaveBeenCalledWith(
      'token: JWT_MAX_LIFETIME must be an integer from 1 to 31536000 (got "1h")',
    );
    expect(io.out).not.toHaveBeenCalled();
  });

  it.each([
    ['JWT_SECRET', { JWT_SECRET: 'short' }, 'must be at least 16 characters (got 5 characters)'],
    [
      'NODE_ENV',
      { ...env, NODE_ENV: 'prod' },
      'must be one of: development, production, test (got "prod")',
    ],
  ])('exits 1 on a %s the app refuses, naming it', (name, tokenEnv, problem) => {
    const io = { out: jest.fn(), err: jest.fn() };
    expect(main(['--sub', '1'], tokenEnv, io)).toBe(1);
    expect(io.err).toHaveBeenCalledWith(`token: ${name} ${problem}`);
    expect(io.out).not.toHaveBeenCalled();
  });

  it('mints by default a token that the production guard accepts', async () => {
    const token = buildToken(['--sub', '42'], { ...env, NODE_ENV: 'production' }, fail);
    const request: AuthRequest = { headers: { authorization: `Bearer ${token}` } };
    const guard = new JwtAuthGuard(new JwtService({ secret: SECRET }), {
      maxTokenLifetime: 86_400,
    });
    await guard.canActivate(new ExecutionContextHost([request, {}]));
    expect(request.user?.id).toBe('42');
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
