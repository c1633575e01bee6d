import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';
import { storeOptions } from '../support/store-options.js';

const headers = (response: Response) => ({
  status: response.status,
  limit: response.headers.get('x-ratelimit-limit'),
  remaining: response.headers.get('x-ratelimit-remaining'),
  reset: Number(response.headers.get('x-ratelimit-reset')),
  retryAfter: response.headers.get('retry-after'),
});

describe.each(adapters)('counting algorithms over HTTP on %s', (adapter) => {
  describe.each(storeOptions)('with the %s store', (_name, options) => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('GCRA from @RateLimited: one request per interval, a refusal told when the next is due', async () => {
      t = await startTestApp(adapter, options());
      const first = headers(await t.get('/api/algorithms/gcra'));
      expect(first).toMatchObject({ status: 200, limit: '2', remaining: '0', retryAfter: null });
      expect(first.reset).toBe(30);
      const second = headers(await t.get('/api/algorithms/gcra'));
      expect(second).toMatchObject({ status: 429, limit: '2', remaining: '0', retryAfter: '30' });
    });

    it('sliding window from @RateLimited: the limit, then a refusal until the first request leaves', async () => {
      t = await startTestApp(adapter, options());
      const statuses = [];
      let last = headers(await t.get('/api/algorithms/sliding'));
      statuses.push(last.status);
      for (let i = 0; i < 2; i += 1) {
        last = headers(await t.get('/api/algorithms/sliding'));
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last.retryAfter)).toBeGreaterThanOrEqual(60);
      expect(Number(last.retryAfter)).toBeLessThanOrEqual(66);
    });

    it('the module default algorithm for routes that name none, 10 parallel requests at once', async () => {
      t = await startTestApp(adapter, { ...options(), defaultAlgorithm: 'gcra', defaultLimit: 3 });
      const responses = await Promise.all(Array.from({ length: 10 }, () => t!.get('/api/guarded')));
      expect(responses.filter((response) => response.status === 200)).toHaveLength(3);
      const refused = responses.find((response) => response.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('20');
    });
  });
});
