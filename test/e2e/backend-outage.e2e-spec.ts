import { type BackendServer, backendServers } from '../support/backend-servers.js';
import { adapters, startTestApp, type TestApp } from '../support/rate-limit-test-app.js';

const TIMEOUT_MS = 200;
/** Slack for the HTTP round trip on a loaded 2-core machine. */
const MARGIN_MS = 400;

async function timed(t: TestApp, path: string): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await t.get(path);
  return { response, ms: performance.now() - started };
}

/** Polls until the limiter counts again (headers back), bounded in time. */
async function waitForRecovery(t: TestApp): Promise<Response> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await t.get('/api/things');
    if (response.headers.get('x-ratelimit-limit') !== null || Date.now() > deadline)
      return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(backendServers)('%s outage', (_name, startBackend) => {
  let backend: BackendServer;
  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(async () => {
    await backend.close();
  });

  describe.each(adapters)('on %s', (adapter) => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await backend.resume();
      await t?.close();
      t = undefined;
    });

    it('fails open without waiting, then limits again once the server is back', async () => {
      t = await startTestApp(adapter, { ...backend.options(TIMEOUT_MS), failOpen: true });
      expect((await t.get('/api/things')).headers.get('x-ratelimit-remaining')).toBe('4');
      await backend.stop();
      for (let i = 0; i < 8; i += 1) {
        const { response, ms } = await timed(t, '/api/things');
        expect(response.status).toBe(200);
        expect(response.headers.get('x-ratelimit-limit')).toBeNull();
        expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      await backend.start();
      const recovered = await waitForRecovery(t);
      expect(recovered.status).toBe(200);
      expect(recovered.headers.get('x-ratelimit-limit')).toBe('5');
    });

    it('fails closed with the documented 429, then serves again once the server is back', async () => {
      t = await startTestApp(adapter, { ...backend.options(TIMEOUT_MS), failOpen: false });
      expect((await t.get('/api/things')).status).toBe(200);
      await backend.stop();
      const { response, ms } = await timed(t, '/api/things');
      expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toEqual({
        statusCode: 429,
        message: 'Access denied as a precaution',
      });
      await backend.start();
      const recovered = await waitForRecovery(t);
      expect(recovered.status).toBe(200);
    });

    it('answers within the timeout when the server hangs', async () => {
      t = await startTestApp(adapter, { ...backend.options(TIMEOUT_MS), failOpen: true });
      expect((await t.get('/api/things')).headers.get('x-ratelimit-limit')).toBe('5');
      await backend.pause();
      for (let i = 0; i < 3; i += 1) {
        const { response, ms } = await timed(t, '/api/things');
        expect(response.status).toBe(200);
        expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      await backend.resume();
      expect((await waitForRecovery(t)).headers.get('x-ratelimit-limit')).toBe('5');
    });
  });
});
