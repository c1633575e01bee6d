import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type RunningDemo, startDemo, TEST_JWT_SECRET } from '../support/demo-app.js';
import { closeRawConnections, rawRequest } from '../support/raw-http.js';
import { adapters } from '../support/rate-limit-test-app.js';

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
  [
    'a string exp',
    `Bearer ${hs256(superuser({ exp: String(now() + 600) }))}`,
    /^Token "exp" claim must be a number$/,
  ],
  [
    'a string nbf',
    `Bearer ${hs256(superuser({ nbf: '0' }))}`,
    /^Token "nbf" claim must be a number$/,
  ],
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
  ...critical(),
  ['12 KB of garbage token', `Bearer ${'A'.repeat(12 * 1024)}`, /^Invalid token$/],
  ['a valid token padded to 12 KB', `Bearer ${valid}${'A'.repeat(12 * 1024)}`, /^Invalid token$/],
];

/** RFC 7515 §4.1.11: we understand no extension, so any `crit`, well formed or not, is refused. */
function critical(): [string, string, RegExp][] {
  const unsupported = /^Token header "crit" lists extensions this server does not support$/;
  const malformed = /^Token header "crit" is malformed$/;
  const withHeader = (header: object) =>
    `Bearer ${forge({ alg: 'HS256', ...header }, superuser())}`;
  return [
    ['crit ["b64"] (RFC 7797)', withHeader({ crit: ['b64'], b64: false }), unsupported],
    ['crit naming a private extension', withHeader({ crit: ['ext'], ext: 1 }), unsupported],
    ['crit naming a parameter absent', withHeader({ crit: ['missing'] }), unsupported],
    ['crit []', withHeader({ crit: [] }), malformed],
    ['crit "b64"', withHeader({ crit: 'b64' }), malformed],
    ['crit null', withHeader({ crit: null }), malformed],
    ['crit [1]', withHeader({ crit: [1] }), malformed],
    [
      'crit with a forged signature',
      `Bearer ${forge({ alg: 'HS256', crit: ['b64'] }, superuser(), 'another-secret-of-32-characters!')}`,
      /^Invalid token$/,
    ],
  ];
}

let counter = 0;

/** GET the rate-limited widgets and try an admin write with `authorization`. */
async function attempt(demo: RunningDemo, authorization: string) {
  const headers = { authorization, 'content-type': 'application/json' };
  const read = await rawRequest(demo.url, 'GET', '/api/v1/widgets', { headers });
  const name = `jwt_edge_${(counter += 1)}`;
  const body = JSON.stringify({ name });
  const write = await rawRequest(demo.url, 'POST', '/api/v1/tiers', { headers, body });
  const stored = await rawRequest(demo.url, 'GET', `/api/v1/tiers/${name}`);
  return { read, write, stored };
}

/** Asserts a 401 carrying `message` on the read and the write, and nothing stored. */
async function expectRefused(demo: RunningDemo, header: string, message: RegExp) {
  const { read, write, stored } = await attempt(demo, header);
  expect(read.status).toBe(401);
  expect(read.json).toMatchObject({ statusCode: 401, message: expect.stringMatching(message) });
  expect(write.status).toBe(401);
  expect(stored.status).toBe(404);
}

describe.each(adapters)('JWT edge cases over HTTP (demo app on %s)', (adapter) => {
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemo({}, { adapter });
  }, 60_000);
  afterAll(async () => {
    closeRawConnections();
    await demo.close();
  });

  it('lets the valid superuser token itself write (the cases below differ from it by one thing)', async () => {
    const { read, write, stored } = await attempt(demo, `Bearer ${valid}`);
    expect([read.status, write.status, stored.status]).toEqual([200, 201, 200]);
  });

  it.each(REFUSED)(
    '%s: 401, never anonymous, never a superuser',
    async (_case, header, message) => {
      await expectRefused(demo, header, message);
    },
  );

  it.each([
    ['is_superuser (snake case)', { sub: 'u1', is_superuser: true }],
    ['a nested isSuperuser', { sub: 'u1', user: { isSuperuser: true } }],
    ['isSuperuser false', { sub: 'u1', isSuperuser: false }],
    ['a numeric sub', { sub: 42, tierId: 2 }],
    ['a 10 KB sub', { sub: 's'.repeat(10 * 1024) }],
    ['exp 1e308 (no maximum lifetime outside production)', { sub: 'u1', exp: 1e308 }],
  ])(
    'a signed token with %s is an ordinary user: served, but 403 on writes',
    async (_c, claims) => {
      const { read, write, stored } = await attempt(demo, `Bearer ${hs256(claims)}`);
      expect(read.status).toBe(200);
      expect(write).toMatchObject({
        status: 403,
        json: { message: expect.stringMatching(/superuser/) },
      });
      expect(stored.status).toBe(404);
    },
  );

  // Node refuses a header section over 16 KB before the app sees it: a 431, or (Fastify, while a
  // body is still being sent) a closed connection. Never a 500 or a superuser.
  it('a 20 KB token: refused before the app, never a 500 or a superuser', async () => {
    const authorization = `Bearer ${valid}${'A'.repeat(20 * 1024)}`;
    const headers = { authorization, 'content-type': 'application/json' };
    const body = JSON.stringify({ name: 'jwt_edge_oversized' });
    const statusOrClosed = (path: string, method: string) =>
      rawRequest(demo.url, method, path, { headers, body: method === 'POST' ? body : undefined })
        .then((reply) => reply.status)
        .catch((error: Error) => error.message);
    const refused = [431, 'socket hang up'];
    expect(refused).toContain(await statusOrClosed('/api/v1/widgets', 'GET'));
    expect(refused).toContain(await statusOrClosed('/api/v1/tiers', 'POST'));
    expect((await rawRequest(demo.url, 'GET', '/api/v1/tiers/jwt_edge_oversized')).status).toBe(
      404,
    );
  });
});

describe.each(adapters)(
  'token lifetime over HTTP with NODE_ENV=production (JWT_MAX_LIFETIME unset: 24 h), on %s',
  (adapter) => {
    let demo: RunningDemo;
    const DAY = 86_400;

    beforeAll(async () => {
      demo = await startDemo({ NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET }, { adapter });
    }, 60_000);
    afterAll(async () => {
      closeRawConnections();
      await demo.close();
    });

    it.each([
      ['one hour', { iat: now(), exp: now() + 3600 }],
      ['exactly 24 h', { iat: now(), exp: now() + DAY }],
      ['no iat, exp in an hour', { exp: now() + 3600 }],
    ])('accepts a superuser token living %s', async (_case, claims) => {
      const { read, write, stored } = await attempt(demo, `Bearer ${hs256(superuser(claims))}`);
      expect([read.status, write.status, stored.status]).toEqual([200, 201, 200]);
    });

    it.each<[string, unknown, RegExp]>([
      ['no exp', superuser({ iat: now() }), /^Token "exp" claim is required$/],
      ['no exp and no iat', superuser(), /^Token "exp" claim is required$/],
      [
        'exp 1e308',
        superuser({ iat: now(), exp: 1e308 }),
        /^Token lifetime exceeds the maximum of 86400 seconds$/,
      ],
      [
        'exp 1e400 (Infinity)',
        '{"sub":"a","isSuperuser":true,"exp":1e400}',
        /^Token "exp" claim must be a finite number$/,
      ],
      [
        'a string exp',
        superuser({ exp: String(now() + 60) }),
        /^Token "exp" claim must be a number$/,
      ],
      ['exp null', superuser({ exp: null }), /^Token "exp" claim must be a number$/],
      [
        'a lifetime of 24 h + 1 s',
        superuser({ iat: now(), exp: now() + DAY + 1 }),
        /exceeds the maximum/,
      ],
      ['100 years without iat', superuser({ exp: now() + 100 * 365 * DAY }), /exceeds the maximum/],
      [
        'exp soon but issued 2 days ago',
        superuser({ iat: now() - 2 * DAY, exp: now() + 60 }),
        /exceeds/,
      ],
      [
        'a string iat',
        superuser({ iat: 'now', exp: now() + 60 }),
        /^Token "iat" claim must be a finite number$/,
      ],
    ])('refuses %s with a 401', async (_case, payload, message) => {
      await expectRefused(demo, `Bearer ${hs256(payload)}`, message);
    });

    it('refuses crit in production too', async () => {
      const token = forge(
        { alg: 'HS256', crit: ['b64'], b64: false },
        superuser({ exp: now() + 60 }),
      );
      await expectRefused(demo, `Bearer ${token}`, /"crit"/);
    });
  },
);

describe.each(adapters)('JWT_MAX_LIFETIME set outside production, on %s', (adapter) => {
  let demo: RunningDemo;

  beforeAll(async () => {
    demo = await startDemo({ NODE_ENV: 'test', JWT_MAX_LIFETIME: '600' }, { adapter });
  }, 60_000);
  afterAll(async () => {
    closeRawConnections();
    await demo.close();
  });

  it('accepts a token living 10 minutes', async () => {
    const token = hs256(superuser({ iat: now(), exp: now() + 600 }));
    const { read, write } = await attempt(demo, `Bearer ${token}`);
    expect([read.status, write.status]).toEqual([200, 201]);
  });

  it.each<[string, object, RegExp]>([
    ['no exp', superuser(), /^Token "exp" claim is required$/],
    ['601 seconds', superuser({ iat: now(), exp: now() + 601 }), /maximum of 600 seconds/],
  ])('refuses %s', async (_case, payload, message) => {
    await expectRefused(demo, `Bearer ${hs256(payload)}`, message);
  });
});
