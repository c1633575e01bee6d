import { closeRawConnections, rawRequest } from '../support/raw-http.js';
import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';
import { storeOptions } from '../support/store-options.js';

const numeric = (response: Response, name: string) => Number(response.headers.get(name));

afterAll(closeRawConnections);

describe.each(adapters)('rate limiting over HTTP on %s', (adapter) => {
  describe.each(storeOptions)('with the %s store', (_name, options) => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startTestApp(adapter, options());
    });
    afterEach(async () => {
      await t.close();
    });

    it('counts the remaining requests down in the headers', async () => {
      const remaining = [];
      for (let i = 0; i < 5; i += 1) {
        const response = await t.get('/api/things');
        expect(response.status).toBe(200);
        expect(response.headers.get('x-ratelimit-limit')).toBe('5');
        expect(numeric(response, 'x-ratelimit-reset')).toBeGreaterThanOrEqual(59);
        expect(numeric(response, 'x-ratelimit-reset')).toBeLessThanOrEqual(60);
        expect(response.headers.get('retry-after')).toBeNull();
        remaining.push(response.headers.get('x-ratelimit-remaining'));
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    });

    it('answers 429 with Retry-After and the headers past the limit', async () => {
      await t.get('/api/things/strict');
      await t.get('/api/things/strict');
      const response = await t.get('/api/things/strict');
      expect(response.status).toBe(429);
      const retryAfter = numeric(response, 'retry-after');
      expect(retryAfter).toBeGreaterThanOrEqual(29);
      expect(retryAfter).toBeLessThanOrEqual(30);
      expect(response.headers.get('x-ratelimit-limit')).toBe('2');
      expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(numeric(response, 'x-ratelimit-reset')).toBe(retryAfter);
      expect(await response.json()).toEqual({
        statusCode: 429,
        message: `Rate limit exceeded. Try again in ${retryAfter} seconds.`,
      });
    });

    it('keeps one counter per path and ignores the query string', async () => {
      await t.get('/api/things/strict?a=1');
      const second = await t.get('/api/things/strict?a=2');
      expect(second.headers.get('x-ratelimit-remaining')).toBe('0');
      const other = await t.get('/api/things/1');
      expect(other.headers.get('x-ratelimit-remaining')).toBe('4');
      const another = await t.get('/api/things/2');
      expect(another.headers.get('x-ratelimit-remaining')).toBe('4');
    });

    it('never lets a parameter value share the counter of a literal route beside it', async () => {
      // Each of these reaches `:id` with the value `export` on one adapter or the other (Express
      // routes case-insensitively, Fastify does not; neither decodes a literal's `%65`).
      let reachedId = 0;
      for (const spelling of ['export%20', '%65xport', 'EXPORT', 'Export']) {
        const primed = await t.get(`/api/things/${spelling}`);
        if ('id' in ((await primed.json()) as object)) reachedId += 1;
      }
      expect(reachedId).toBeGreaterThan(0);
      // Had a `:id` hit opened the export route's counter, its window would be 60 s, not 3600.
      const own = await t.get('/api/things/export');
      expect(own.headers.get('x-ratelimit-limit')).toBe('2');
      expect(numeric(own, 'x-ratelimit-reset')).toBeGreaterThan(3500);
    });

    it('gives no dot-segment spelling inside a wildcard a counter of its own', async () => {
      expect((await t.get('/api/files/b')).status).toBe(200);
      // As written: fetch would resolve the dot segments before sending.
      for (const spelling of ['x/../b', 'x/y/../../b', './b', 'B', 'b/', 'a/%2e%2e/b']) {
        const response = await rawRequest(t.url, 'GET', `/api/files/${spelling}`);
        expect([spelling, response.status]).toEqual([spelling, 429]);
      }
    });

    it('counts each user apart from the others and from anonymous callers', async () => {
      await t.get('/api/things/strict', { 'x-test-user': 'alice' });
      await t.get('/api/things/strict', { 'x-test-user': 'alice' });
      expect((await t.get('/api/things/strict', { 'x-test-user': 'alice' })).status).toBe(429);
      const bob = await t.get('/api/things/strict', { 'x-test-user': 'bob' });
      expect(bob.status).toBe(200);
      expect(bob.headers.get('x-ratelimit-remaining')).toBe('1');
      expect((await t.get('/api/things/strict')).headers.get('x-ratelimit-remaining')).toBe('1');
    });

    it('ignores a spoofed X-Forwarded-For without TRUST_PROXY', async () => {
      await t.get('/api/things/strict', { 'x-forwarded-for': '1.1.1.1' });
      await t.get('/api/things/strict', { 'x-forwarded-for': '2.2.2.2' });
      const third = await t.get('/api/things/strict', { 'x-forwarded-for': '3.3.3.3' });
      expect(third.status).toBe(429);
    });

    it('writes no header on routes without the guard and counts @UseGuards routes', async () => {
      const open = await t.get('/api/open');
      expect(open.status).toBe(200);
      expect(open.headers.get('x-ratelimit-limit')).toBeNull();
      const guarded = await t.get('/api/guarded');
      expect(guarded.headers.get('x-ratelimit-limit')).toBe('100');
      expect(guarded.headers.get('x-ratelimit-remaining')).toBe('99');
    });
  });

  describe('with module options', () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('trusts X-Forwarded-For when trustProxy is set', async () => {
      t = await startTestApp(adapter, { trustProxy: 'loopback' });
      await t.get('/api/things/strict', { 'x-forwarded-for': '1.1.1.1' });
      await t.get('/api/things/strict', { 'x-forwarded-for': '1.1.1.1' });
      expect((await t.get('/api/things/strict', { 'x-forwarded-for': '1.1.1.1' })).status).toBe(
        429,
      );
      const other = await t.get('/api/things/strict', { 'x-forwarded-for': '2.2.2.2' });
      expect(other.status).toBe(200);
    });

    it('does nothing when disabled', async () => {
      t = await startTestApp(adapter, { enabled: false });
      for (let i = 0; i < 4; i += 1) {
        const response = await t.get('/api/things/strict');
        expect(response.status).toBe(200);
        expect(response.headers.get('x-ratelimit-limit')).toBeNull();
      }
    });

    it('applies the module defaults to routes without their own limit', async () => {
      t = await startTestApp(adapter, { defaultLimit: 3, defaultPeriod: 10 });
      const response = await t.get('/api/guarded');
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      expect(response.headers.get('x-ratelimit-reset')).toBe('10');
    });

    it('skips what @SkipRateLimit marks, in global mode and under a class guard', async () => {
      t = await startTestApp(adapter, { defaultLimit: 1 }, true);
      for (let i = 0; i < 3; i += 1) {
        const skipped = await t.get('/api/skipped');
        expect(skipped.status).toBe(200);
        expect(skipped.headers.get('x-ratelimit-limit')).toBeNull();
        // The class is limited by @RateLimited; the method's @SkipRateLimit wins.
        const free = await t.get('/api/things/free');
        expect(free.status).toBe(200);
        expect(free.headers.get('x-ratelimit-limit')).toBeNull();
      }
      // The method's @RateLimited wins over the class's @SkipRateLimit.
      const limited = await t.get('/api/skipped/limited');
      expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
      expect((await t.get('/api/open')).headers.get('x-ratelimit-remaining')).toBe('0');
    });

    it('limits every route with the global guard', async () => {
      t = await startTestApp(adapter, { defaultLimit: 7 }, true);
      expect((await t.get('/api/open')).headers.get('x-ratelimit-limit')).toBe('7');
      const strict = await t.get('/api/things/strict');
      expect(strict.headers.get('x-ratelimit-limit')).toBe('2');
      expect(strict.headers.get('x-ratelimit-remaining')).toBe('1');
      // Also guarded by @UseGuards: the second guard sees the first one's decision.
      expect((await t.get('/api/guarded')).headers.get('x-ratelimit-remaining')).toBe('6');
    });
  });
});
