import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type RunningDemo, startDemo, TEST_JWT_SECRET } from '../support/demo-app.js';
import { closeRawConnections, rawRequest } from '../support/raw-http.js';

const now = () => Math.floor(Date.now() / 1000);
const base64url = (json: string) => Buffer.from(json).toString('base64url');
const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * A token built by hand, so that claims `jsonwebtoken` refuses to sign (a string `exp`,
 * `1e400`) can be tried: header and payload as given (raw JSON text or a value), HMAC-SHA256.
 */
function forge(header: unknown, payload: unknown, secret = TEST_JWT_SECRET): string {
  const input = `${base64url(json(header))}.${base64url(json(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const hs256 = (payload: unknown) => forge({ alg: 'HS256', typ: 'JWT' }, payload);
const unsigned = (payload: object) =>
  `${base64url(json({ alg: 'none', typ: 'JWT' }))}.${base64url(json(payload))}.`;
const superuser = (claims: object = {}) => ({ sub: 'attacker', isSuperuser: true, ...claims });
const valid = hs256(superuser());

/** Tokens the demo must refuse with a 401: [case, Authorization header, message]. */
const REFUSED: [string, string, RegExp][] = [
  ['alg none', `Bearer ${unsigned(superuser())}`, /^Invalid token$/],
  ['alg none with a signature', `Bearer ${forge({ alg: 'none' }, superuser())}`, /^Invalid token$/],
  ['alg "None"', `Bearer ${forge({ alg: 'None' }, superuser())}`, /^Invalid token$/],
  [
    'HS512 with the right secret',
    `Bearer ${jwt.sign(superuser(), TEST_JWT_SECRET, { algorithm: 'HS512' })}`,
    /^Invalid token$/,
  ],
  [
    'HS384 with the right secret',
    `Bearer ${jwt.sign(superuser(), TEST_JWT_SECRET, { algorithm: 'HS384' })}`,
    /^Invalid token$/,
  ],
  [
    'a header saying RS256 over an HMAC',
    `Bearer ${forge({ alg: 'RS256' }, superuser())}`,
    /^Invalid token$/,
  ],
  [
    'another secret',
    `Bearer ${forge({ alg: 'HS256' }, superuser(), 'another-secret-of-32-characters!')}`,
    /^Invalid token$/,
  ],
  ['an expired token', `Bearer ${hs256(superuser({ exp: now() - 10 }))}`, /^Token expired$/],
  ['a token expired in 1970', `Bearer ${hs256(superuser({ exp: 1 }))}`, /^Token expired$/],
  [
    'a token valid in 10 minutes',
    `Bearer ${hs256(superuser({ nbf: now() + 600 }))}`,
    /^Token not yet valid$/,
  ],
  ['a string exp', `Bearer ${hs256(superuser({ exp: String(now() + 600) }))}`, /^Invalid token$/],
  ['a string nbf', `Bearer ${hs256(superuser({ nbf: '0' }))}`, /^Invalid token$/],
  ['a missing sub', `Bearer ${hs256({ isSuperuser: true })}`, /"sub"/],
  ['an empty sub', `Bearer ${hs256(superuser({ sub: '' }))}`, /"sub"/],
  ['a null sub', `Bearer ${hs256(superuser({ sub: null }))}`, /"sub"/],
  ['a boolean sub', `Bearer ${hs256(superuser({ sub: true }))}`, /"sub"/],
  ['an object sub', `Bearer ${hs256(superuser({ sub: { id: 1 } }))}`, /"sub"/],
  ['an array sub', `Bearer ${hs256(superuser({ sub: ['1'] }))}`, /"sub"/],
  ['an infinite sub (1e400)', `Bearer ${hs256('{"sub":1e400,"isSuperuser":true}')}`, /"sub"/],
  ['a string tierId', `Bearer ${hs256(superuser({ tierId: '2' }))}`, /"tierId"/],
  ['a fractional tierId', `Bearer ${hs256(superuser({ tierId: 2.5 }))}`, /"tierId"/],
  ['a negative tierId', `Bearer ${hs256(superuser({ tierId: -1 }))}`, /"tierId"/],
  ['a tierId of 2^53', `Bearer ${hs256(superuser({ tierId: 2 ** 53 }))}`, /"tierId"/],
  ['a tierId of 1e308', `Bearer ${hs256(superuser({ tierId: 1e308 }))}`, /"tierId"/],
  ['a tierId of 1e400', `Bearer ${hs256('{"sub":"a","tierId":1e400}')}`, /"tierId"/],
  ['a boolean tierId', `Bearer ${hs256(superuser({ tierId: true }))}`, /"tierId"/],
  ['isSuperuser "true"', `Bearer ${hs256(superuser({ isSuperuser: 'true' }))}`, /"isSuperuser"/],
  ['isSuperuser 1', `Bearer ${hs256(superuser({ isSuperuser: 1 }))}`, /"isSuperuser"/],
  ['isSuperuser null', `Bearer ${hs256(superuser({ isSuperuser: null }))}`, /"isSuperuser"/],
  ['isSuperuser [true]', `Bearer ${hs256(superuser({ isSuperuser: [true] }))}`, /"isSuperuser"/],
  ['a payload that is a string', `Bearer ${hs256('"just a string"')}`, /payload|Invalid token/],
  ['a payload that is an array', `Bearer ${hs256([superuser()])}`, /"sub"|payload/],
  ['a payload that is not JSON', `Bearer ${hs256('{not json')}`, /^Invalid token$/],
  ['garbage after the signature', `Bearer ${valid}x`, /^Invalid token$/],
  ['a fourth segment', `Bearer ${valid}.x`, /^Invalid token$/],
  ['no signature', `Bearer ${valid.slice(0, valid.lastIndexOf('.') + 1)}`, /^Invalid token$/],
  ['two tokens', `Bearer ${valid} ${valid}`, /^Malformed Authorization header/],
  ['another scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`, /^Malformed/],
  ['12 KB of garbage token', `Bearer ${'A'.repeat(12 * 1024)}`, /^Invalid token$/],
  ['a valid token padded to 12 KB', `Bearer ${valid}${'A'.repeat(12 * 1024)}`, /^Invalid token$/],
];

describe('JWT edge cases over HTTP (demo app)', () => {
  let demo: RunningDemo;
  let counter = 0;

  /** GET the rate-limited widgets and try an admin write with `authorization`. */
  async function attempt(authorization: string) {
    const headers = { authorization, 'content-type': 'application/json' };
    const read = await rawRequest(demo.url, 'GET', '/api/v1/widgets', { headers });
    const name = `jwt_edge_${(counter += 1)}`;
    const body = JSON.stringify({ name });
    const write = await rawRequest(demo.url, 'POST', '/api/v1/tiers', { headers, body });
    const stored = await rawRequest(demo.url, 'GET', `/api/v1/tiers/${name}`);
    return { read, write, stored };
  }

  beforeAll(async () => {
    demo = await startDemo({}, { adapter: 'express' });
  }, 60_000);
  afterAll(async () => {
    closeRawConnections();
    await demo.close();
  });

  it('lets the valid superuser token itself write (the cases below differ from it by one thing)', async () => {
    const { read, write, stored } = await attempt(`Bearer ${valid}`);
    expect([read.status, write.status, stored.status]).toEqual([200, 201, 200]);
  });

  it.each(REFUSED)(
    '%s: 401, never anonymous, never a superuser',
    async (_case, header, message) => {
      const { read, write, stored } = await attempt(header);
      expect(read.status).toBe(401);
      expect(read.json).toMatchObject({ statusCode: 401, message: expect.stringMatching(message) });
      expect(write.status).toBe(401);
      expect(stored.status).toBe(404);
    },
  );

  it.each([
    ['is_superuser (snake case)', { sub: 'u1', is_superuser: true }],
    ['a nested isSuperuser', { sub: 'u1', user: { isSuperuser: true } }],
    ['isSuperuser false', { sub: 'u1', isSuperuser: false }],
    ['a numeric sub', { sub: 42, tierId: 2 }],
    ['a 10 KB sub', { sub: 's'.repeat(10 * 1024) }],
  ])(
    'a signed token with %s is an ordinary user: served, but 403 on writes',
    async (_c, claims) => {
      const { read, write, stored } = await attempt(`Bearer ${hs256(claims)}`);
      expect(read.status).toBe(200);
      expect(write).toMatchObject({
        status: 403,
        json: { message: expect.stringMatching(/superuser/) },
      });
      expect(stored.status).toBe(404);
    },
  );

  // Node refuses a header section over 16 KB before the app sees it: a clean 431.
  it('a 20 KB token: 431 from Node, never a 500 or a superuser', async () => {
    const { read, write, stored } = await attempt(`Bearer ${valid}${'A'.repeat(20 * 1024)}`);
    expect([read.status, write.status, stored.status]).toEqual([431, 431, 404]);
  });
});
