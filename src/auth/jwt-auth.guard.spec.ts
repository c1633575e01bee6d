import { createHmac } from 'node:crypto';
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

function base64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** HS256 by hand over header and payload (values, or raw JSON text), for what jwt.sign refuses. */
function forge(header: object | string, payload: object | string, secret = SECRET): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function authenticate(authorization?: string, using = guard): Promise<AuthRequest> {
  const request: AuthRequest = { headers: authorization === undefined ? {} : { authorization } };
  await expect(using.canActivate(new ExecutionContextHost([request, {}]))).resolves.toBe(true);
  return request;
}

async function rejection(authorization: string, using = guard): Promise<UnauthorizedException> {
  const request: AuthRequest = { headers: { authorization } };
  const error = await using.canActivate(new ExecutionContextHost([request, {}])).then(
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

describe('JwtAuthGuard: critical header parameters (RFC 7515 §4.1.11)', () => {
  const withHeader = (header: object) =>
    `Bearer ${forge({ alg: 'HS256', ...header }, { sub: '1' })}`;

  it('accepts a signed token without crit', async () => {
    expect((await authenticate(withHeader({ typ: 'JWT', kid: 'k1' }))).user?.id).toBe('1');
  });

  it.each([
    ['an extension present in the header', { crit: ['ext'], ext: 1 }],
    ['b64 (RFC 7797)', { crit: ['b64'], b64: false }],
    ['a URI-named extension', { crit: ['https://example.com/x'], 'https://example.com/x': true }],
    ['a name absent from the header', { crit: ['missing'] }],
    ['a registered name', { crit: ['alg'] }],
    ['several names', { crit: ['exp', 'ext'], exp: 1, ext: 2 }],
  ])('rejects crit listing %s, as we understand no extension', async (_case, header) => {
    expect((await rejection(withHeader(header))).message).toBe(
      'Token header "crit" lists extensions this server does not support',
    );
  });

  it.each([
    ['an empty array', []],
    ['a string', 'b64'],
    ['null', null],
    ['an object', { b64: true }],
    ['a number', 1],
    ['an array of numbers', [1]],
    ['an array with an empty name', ['']],
  ])('rejects a malformed crit: %s', async (_case, crit) => {
    expect((await rejection(withHeader({ crit }))).message).toBe(
      'Token header "crit" is malformed',
    );
  });

  it('checks the signature first: a forged token with crit is just an invalid token', async () => {
    const token = forge({ alg: 'HS256', crit: ['b64'] }, { sub: '1' }, 'another-secret-0123456789');
    expect((await rejection(`Bearer ${token}`)).message).toBe('Invalid token');
  });

  it.each(['null', '[]', '"crit"', '{"crit":', '{"crit":["b64"]}', '\u0000'])(
    'rejects the header %j as an invalid token, without crashing',
    async (header) => {
      expect((await rejection(`Bearer ${forge(header, { sub: '1' })}`)).message).toBe(
        'Invalid token',
      );
    },
  );
});

describe('JwtAuthGuard with a maximum token lifetime', () => {
  // A fixed clock far from the real one: only a guard that uses it can pass these.
  const NOW = 2_000_000_000;
  const strict = new JwtAuthGuard(new JwtService({ secret: SECRET }), {
    maxTokenLifetime: 3600,
    now: () => NOW * 1000,
  });
  // jwt.sign adds iat (on the real clock) unless told not to: only the claims given go in.
  const at = (claims: { iat?: number; exp?: number }) => {
    const options = claims.iat === undefined ? { noTimestamp: true } : {};
    return `Bearer ${sign({ sub: '1', ...claims }, options)}`;
  };

  it.each([
    ['iat now, exp in exactly the maximum', { iat: NOW, exp: NOW + 3600 }],
    ['no iat, exp in exactly the maximum', { exp: NOW + 3600 }],
    ['issued earlier, lifetime exactly the maximum', { iat: NOW - 100, exp: NOW + 3500 }],
    ['a short lifetime', { iat: NOW, exp: NOW + 60 }],
  ])('accepts %s', async (_case, claims) => {
    expect((await authenticate(at(claims), strict)).user?.id).toBe('1');
  });

  it('reads expiry on its clock, not the real one', async () => {
    const realNow = now();
    const token = at({ iat: realNow, exp: realNow + 60 });
    expect((await rejection(token, strict)).message).toBe('Token expired');
  });

  it.each([
    ['no exp', at({ iat: NOW }), /^Token "exp" claim is required$/],
    ['no exp and no iat', at({}), /^Token "exp" claim is required$/],
    ['exp 1e308', at({ iat: NOW, exp: 1e308 }), /^Token lifetime exceeds the maximum of 3600 s/],
    [
      'exp 1e400 (Infinity)',
      `Bearer ${forge({ alg: 'HS256' }, '{"sub":"1","exp":1e400}')}`,
      /finite/,
    ],
    [
      'a string exp',
      `Bearer ${forge({ alg: 'HS256' }, { sub: '1', exp: `${NOW + 60}` })}`,
      /"exp"/,
    ],
    ['a lifetime one second too long', at({ iat: NOW, exp: NOW + 3601 }), /exceeds the maximum/],
    ['no iat and exp too far ahead', at({ exp: NOW + 3601 }), /exceeds the maximum/],
    ['exp near but issued a day ago', at({ iat: NOW - 86_400, exp: NOW + 60 }), /exceeds/],
    [
      'iat in the future and exp too far ahead',
      at({ iat: NOW + 1000, exp: NOW + 4000 }),
      /exceeds/,
    ],
    [
      'a string iat',
      `Bearer ${forge({ alg: 'HS256' }, { sub: '1', iat: 'now', exp: NOW + 60 })}`,
      /^Token "iat" claim must be a finite number$/,
    ],
    [
      'iat 1e400',
      `Bearer ${forge({ alg: 'HS256' }, `{"sub":"1","iat":1e400,"exp":${NOW + 60}}`)}`,
      /^Token "iat" claim must be a finite number$/,
    ],
  ])('rejects %s', async (_case, header, message) => {
    expect((await rejection(header, strict)).message).toMatch(message);
  });

  it('without a maximum (outside production by default) accepts no exp and exp 1e308', async () => {
    expect((await authenticate(`Bearer ${sign({ sub: '1' })}`)).user?.id).toBe('1');
    expect((await authenticate(`Bearer ${sign({ sub: '1', exp: 1e308 })}`)).user?.id).toBe('1');
  });
});
