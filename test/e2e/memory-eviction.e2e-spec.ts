import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** The memory store's bound in this run: the attacker sends more distinct paths than that. */
const MAX_KEYS = 1_000;
const JUNK_REQUESTS = 1_200;
/** The default limit, low so that the victim reaches it in few requests. */
const LIMIT = 20;
const IN_FLIGHT = 20;

/**
 * Sends the victim's `GET /api/v1/widgets` until the first 429 (or `cap` requests).
 * @returns how many were let through before it
 */
async function passesUntilRefused(demo: RunningDemo, token: string, cap: number): Promise<number> {
  for (let passed = 0; passed < cap; passed += 1) {
    const response = await demo.request('GET', '/api/v1/widgets', { token });
    await response.arrayBuffer();
    if (response.status === 429) return passed;
    if (response.status !== 200) throw new Error(`victim got ${response.status}`);
  }
  return cap;
}

/** One anonymous caller, `total` distinct paths (each its own counter), `IN_FLIGHT` at a time. */
async function floodDistinctPaths(demo: RunningDemo, total: number): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      const response = await demo.request('GET', `/api/v1/widgets/${next}`);
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return statuses;
}

describe.each(adapters)('memory store at capacity over HTTP on %s', (adapter) => {
  let demo: RunningDemo;
  beforeAll(async () => {
    demo = await startDemo(
      { RATE_LIMITER_MEMORY_MAX_KEYS: String(MAX_KEYS), DEFAULT_RATE_LIMIT_LIMIT: String(LIMIT) },
      { adapter },
    );
  });
  afterAll(async () => {
    await demo.close();
  });

  it('keeps a refused victim refused after an anonymous caller fills the store', async () => {
    const token = tokenFor({ sub: 'victim' });
    expect(await passesUntilRefused(demo, token, 1_000)).toBe(LIMIT);

    const statuses = await floodDistinctPaths(demo, JUNK_REQUESTS);
    expect(statuses).toHaveLength(JUNK_REQUESTS);
    // Every junk request was counted on a fresh counter: none of them was refused.
    expect(statuses.filter((status) => status !== 200 && status !== 404)).toEqual([]);

    expect(await passesUntilRefused(demo, token, 200)).toBe(0);
  }, 60_000);
});
