import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';
import { storeOptions } from '../support/store-options.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headers = (response: Response) => ({
  status: response.status,
  limit: response.headers.get('x-ratelimit-limit'),
  remaining: response.headers.get('x-ratelimit-remaining'),
  retryAfter: response.headers.get('retry-after'),
});

describe.each(adapters)('several limits on one request over HTTP on %s', (adapter) => {
  describe.each(storeOptions)('with the %s store', (_name, options) => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    const answers = async (count: number, send: () => Promise<Response>) => {
      const received: Response[] = [];
      for (let i = 0; i < count; i += 1) received.push(await send());
      return received;
    };
    /** Sleeps as long as a 429 said: its Retry-After, whole seconds rounded up. */
    const waitOut = (refused: Response) =>
      sleep(Number(refused.headers.get('retry-after')) * 1000 + 50);

    it('burst + sustained: a refusal by the short window uses nothing of the long one', async () => {
      t = await startTestApp(adapter, options());
      const send = () => t!.get('/api/policies/windows');
      const first = await answers(12, send);
      expect(first.map((answer) => answer.status)).toEqual([
        200,
        200,
        ...Array<number>(10).fill(429),
      ]);
      await waitOut(first[11]);
      // The hour counted 2, not 12: two more pass once the short window is over.
      const second = await answers(3, send);
      expect(second.map((answer) => answer.status)).toEqual([200, 200, 429]);
      await waitOut(second[2]);
      // 5 an hour: the fifth passes, the sixth is refused by the hour.
      const last = await send();
      expect(headers(last)).toMatchObject({ status: 200, limit: '5', remaining: '0' });
      const refused = headers(await send());
      expect(refused).toMatchObject({ status: 429, limit: '5', remaining: '0' });
      expect(Number(refused.retryAfter)).toBeGreaterThan(3500);
    });

    it('the module total budget across routes, beside each route its own limit', async () => {
      t = await startTestApp(adapter, {
        ...options(),
        defaultTotalLimit: 3,
        defaultTotalPeriod: 60,
      });
      expect((await t.get('/api/guarded')).status).toBe(200);
      expect((await t.get('/api/things')).status).toBe(200);
      const third = headers(await t.get('/api/open'));
      // /api/open is not guarded: it counts nothing.
      expect(third).toMatchObject({ status: 200, limit: null });
      expect(headers(await t.get('/api/things/1'))).toMatchObject({
        status: 200,
        limit: '3',
        remaining: '0',
      });
      expect(headers(await t.get('/api/guarded'))).toMatchObject({ status: 429, limit: '3' });
      // Another caller has a budget of its own.
      expect((await t.get('/api/guarded', { 'x-test-user': '7' })).status).toBe(200);
    });

    it('a cost of 3 out of 7: two pass, the third is refused and leaves the last unit', async () => {
      t = await startTestApp(adapter, options());
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(headers(await t.post('/api/policies/bulk')));
      expect(answers.map((answer) => [answer.status, answer.remaining])).toEqual([
        [201, '4'],
        [201, '1'],
        [429, '1'],
      ]);
    });

    it("count: 'failed': successes never use quota, failures do, then 429", async () => {
      t = await startTestApp(adapter, options());
      const ok = () => t!.get('/api/policies/login?ok=1');
      const wrong = () => t!.get('/api/policies/login');
      for (let i = 0; i < 5; i += 1)
        expect(headers(await ok())).toMatchObject({ status: 200, limit: '2', remaining: '2' });
      expect(headers(await wrong())).toMatchObject({ status: 401, remaining: '1' });
      expect(headers(await ok())).toMatchObject({ status: 200, remaining: '1' });
      expect(headers(await wrong())).toMatchObject({ status: 401, remaining: '0' });
      expect(headers(await wrong())).toMatchObject({ status: 429, remaining: '0' });
      // Even the right password waits: the guard refuses before the handler runs.
      expect((await ok()).status).toBe(429);
    });

    it("count: 'failed' reads the status the handler set itself, not only its @HttpCode", async () => {
      t = await startTestApp(adapter, options());
      const ok = () => t!.get('/api/policies/passthrough');
      const failing = () => t!.get('/api/policies/passthrough?fail=1');
      expect(headers(await ok())).toMatchObject({ status: 200, remaining: '2' });
      expect(headers(await failing())).toMatchObject({ status: 401, remaining: '1' });
      expect(headers(await failing())).toMatchObject({ status: 401, remaining: '0' });
      expect((await failing()).status).toBe(429);
    });

    it("count: 'failed' under 20 parallel wrong attempts: exactly the limit reach the handler", async () => {
      t = await startTestApp(adapter, options());
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => t!.get('/api/policies/login')),
      );
      const counts = answers.map((answer) => answer.status).sort();
      expect(counts.filter((status) => status === 401)).toHaveLength(2);
      expect(counts.filter((status) => status === 429)).toHaveLength(18);
    });

    it("count: 'successful' over two policies: a failed answer is given back on both", async () => {
      t = await startTestApp(adapter, options());
      const fail = () => t!.get('/api/policies/successful?fail=1');
      const succeed = () => t!.get('/api/policies/successful');
      for (let i = 0; i < 4; i += 1) expect((await fail()).status).toBe(400);
      expect(headers(await succeed())).toMatchObject({ status: 200, remaining: '1' });
      expect(headers(await succeed())).toMatchObject({ status: 200, remaining: '0' });
      expect((await succeed()).status).toBe(429);
    });
  });
});
