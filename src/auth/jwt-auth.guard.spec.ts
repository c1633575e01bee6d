import { UnauthorizedException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { JwtService } from '@nestjs/jwt';
import jwt from 'jsonwebtoken';
import type { AuthRequest } from './authenticated-user.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

const SECRET = 'unit-test-secret-0123456789';
const guard = new JwtAuthGuard(new JwtService({ secret: SECRET }));
const now = () => Math.floor(Date.now() / 1000);

function sign(claims: object | string, options: jwt.SignOptions = {}): string {
  return jwt.sign(claims, SECRET, { algorithm: 'HS256', ...options });
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function authenticate(authorization?: string): Promise<AuthRequest> {
  const request: AuthRequest = { headers: authorization === undefined ? {} : { authorization } };
  await expect(guard.canActivate(new ExecutionContextHost([request, {}]))).resolves.toBe(true);
  return request;
}

async function rejection(authorization: string): Promise<UnauthorizedException> {
  const request: AuthRequest = { headers: { authorization } };
  const error = await guard.canActivate(new ExecutionContextHost([request, {}])).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnauthorizedException);
  expect(request.user).toBeUndefined();
  return error as UnauthorizedException;
}

describe('JwtAuthGuard', () => {
  it('lets a request without Authorization through as anonymous', async () => {
    expect((await authenticate()).user).toBeUndefined();
  });

  it('sets request.user from a valid token', async () => {
    const token = sign({ sub: '42', tierId: 2, isSuperuser: true }, { expiresIn: 60 });
    const { user } = await authenticate(`Bearer ${token}`);
    expect(user).toEqual({ id: '42', tierId: 2, isSuperuser: true });
  });

  it('accepts a numeric sub, defaults tierId to null and isSuperuser to false', async () => {
    const { user } = await authenticate(`bearer ${sign({ sub: 7 })}`);
    expect(user).toEqual({ id: '7', tierId: null, isSuperuser: false });
    const withNull = await authenticate(`Bearer ${sign({ sub: 'u', tierId: null })}`);
    expect(withNull.user?.tierId).toBeNull();
  });

  it.each(['Token abc', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', '', 'Bearer a b'])(
    'rejects the malformed header %j',
    async (header) => {
      expect((await rejection(header)).message).toMatch(/Malformed Authorization header/);
    },
  );

  it('rejects a token with a bad signature or garbage', async () => {
    const forged = jwt.sign({ sub: '1' }, 'another-secret-0123456789', { algorithm: 'HS256' });
    expect((await rejection(`Bearer ${forged}`)).message).toBe('Invalid token');
    expect((await rejection('Bearer not.a.jwt')).message).toBe('Invalid token');
  });

  it('rejects an unsigned token (alg none)', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: '1' })}.`;
    expect((await rejection(`Bearer ${token}`)).message).toBe('Invalid token');
  });

  it('rejects HS512 even with the right secret', async () => {
    const token = sign({ sub: '1' }, { algorithm: 'HS512' });
    expect((await rejection(`Bearer ${token}`)).message).toBe('Invalid token');
  });

  it('rejects an expired token', async () => {
    const token = sign({ sub: '1', exp: now() - 10 });
    expect((await rejection(`Bearer ${token}`)).message).toBe('Token expired');
  });

  it('rejects a token that is not valid yet', async () => {
    const token = sign({ sub: '1', nbf: now() + 600 });
    expect((await rejection(`Bearer ${token}`)).message).toBe('Token not yet valid');
  });

  it.each([
    ['a missing sub', { tierId: 1 }, /"sub"/],
    ['an empty sub', { sub: '' }, /"sub"/],
    ['an object sub', { sub: { id: 1 } }, /"sub"/],
    ['a string tierId', { sub: '1', tierId: '2' }, /"tierId"/],
    ['a fractional tierId', { sub: '1', tierId: 2.5 }, /"tierId"/],
    ['a string isSuperuser', { sub: '1', isSuperuser: 'true' }, /"isSuperuser"/],
  ])('rejects %s', async (_case, claims, message) => {
    expect((await rejection(`Bearer ${sign(claims)}`)).message).toMatch(message);
  });

  it('rejects a token whose payload is not an object', async () => {
    expect((await rejection(`Bearer ${sign('just a string')}`)).message).toMatch(/payload/);
  });
});
