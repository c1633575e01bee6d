import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { closeRawConnections, rawRequest } from '../support/raw-http.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** The default limit (set low to keep the test short), and the demo's own limit on creating. */
const LIST_LIMIT = 10;
const CREATE_LIMIT = 20;

/** Every letter of `path` in a case chosen by the bits of `n` (n = 0 keeps it as written). */
function casing(path: string, n: number): string {
  let bit = 0;
  return path.replace(/[a-z]/g, (letter) => ((n >> bit++) & 1 ? letter.toUpperCase() : letter));
}

/** Spellings of widget id 1 that the demo's `ParseIntPipe` (after the global pipe) reads as 1. */
const spellingsOfOne = [
  ...Array.from({ length: 140 }, (_, zeros) => `${'0'.repeat(zeros + 1)}1`),
  '+1',
  '%2B1',
  '%31',
  '1%20',
  '%201',
  '1e0',
  '1.0',
  '0x1',
  '%EF%BC%91', // U+FF11, FULLWIDTH DIGIT ONE
  '+01',
];

describe.each(adapters)('counters a caller cannot multiply, on %s', (adapter) => {
  let demo: RunningDemo;
  beforeEach(async () => {
    demo = await startDemo({ DEFAULT_RATE_LIMIT_LIMIT: String(LIST_LIMIT) }, { adapter });
  });
  afterEach(async () => {
    await demo.close();
  });
  afterAll(closeRawConnections);

  /** Requests `path` as written (no normalization); resolves with the number that passed. */
  async function passes(paths: string[], method = 'GET', token?: string): Promise<number> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (method === 'POST') headers['content-type'] = 'application/json';
    const body = method === 'POST' ? JSON.stringify({ name: 'w' }) : undefined;
    let passed = 0;
    for (const path of paths) {
      const reply = await rawRequest(demo.url, method, path, { headers, body });
      if (reply.status < 400) passed += 1;
    }
    return passed;
  }

  /** Widget 1, so that its route answers 200 until the limit. */
  async function createWidget(): Promise<void> {
    const created = await demo.request('POST', '/api/v1/widgets', { body: { name: 'one' } });
    expect(await created.json()).toMatchObject({ id: 1 });
  }

  async function exhaust(path: string, limit: number, method = 'GET', token?: string) {
    const passed = await passes(Array<string>(limit).fill(path), method, token);
    expect(passed).toBe(limit);
    expect(await passes([path], method, token)).toBe(0);
  }

  it('gives no letter case a counter of its own', async () => {
    await exhaust('/api/v1/widgets', LIST_LIMIT);
    const casings = Array.from({ length: 300 }, (_, n) => casing('/api/v1/widgets', n + 1));
    expect(await passes(casings)).toBe(0);
  });

  it('gives no letter case of a create its own counter', async () => {
    await exhaust('/api/v1/widgets', CREATE_LIMIT, 'POST');
    expect(await passes(['/api/v1/Widgets', '/API/V1/WIDGETS'], 'POST')).toBe(0);
  });

  it('gives a user blocked on a path no fresh counter in another case', async () => {
    const free = tokenFor({ sub: 'free-user', tierId: 1 });
    await exhaust('/api/v1/widgets', LIST_LIMIT, 'GET', free);
    expect(await passes(['/api/v1/wIdgets', '/api/v1/WIDGETS'], 'GET', free)).toBe(0);
  });

  it('gives no absolute-form request target a counter of its own', async () => {
    await exhaust('/api/v1/widgets', LIST_LIMIT);
    const targets = [
      ...Array.from({ length: 296 }, (_, n) => `http://h${n}/api/v1/widgets`),
      'https://h/api/v1/widgets',
      'http://a:1/api/v1/widgets',
      'http://[::1]/api/v1/widgets',
      'HTTP://H/API/V1/WIDGETS',
    ];
    expect(await passes(targets)).toBe(0);
  });

  it('gives no other spelling of one id a counter of its own', async () => {
    await createWidget();
    await exhaust('/api/v1/widgets/1', LIST_LIMIT);
    const spellings = spellingsOfOne.map((id) => `/api/v1/widgets/${id}`);
    expect(await passes(spellings)).toBe(0);
  });

  it('gives duplicate slashes, dot segments and encoded letters no counter of their own', async () => {
    await createWidget();
    await exhaust('/api/v1/widgets/1', LIST_LIMIT);
    const spellings = [
      '/api/v1//widgets/1',
      '//api/v1/widgets/1',
      '/api/v1/widgets//1',
      '/api/v1/./widgets/1',
      '/api/v1/x/../widgets/1',
      '/api/v1/widgets/1/',
      '/api/v1/widget%73/1',
      '/api/v1/%77idgets/1',
      '/api/%76%31/widgets/1',
    ];
    // Each spelling is either routed to the widget, and then refused, or not routed at all (no
    // router resolves dot segments); at least one must be routed, or this tests nothing.
    const statuses = [];
    for (const path of spellings) statuses.push((await rawRequest(demo.url, 'GET', path)).status);
    expect(statuses.filter((status) => status !== 429 && status !== 404)).toEqual([]);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });

  it('never lets a user id share the counter of a client address', async () => {
    await exhaust('/api/v1/widgets', LIST_LIMIT);
    const lookalike = tokenFor({ sub: '127.0.0.1' });
    const reply = await demo.request('GET', '/api/v1/widgets', { token: lookalike });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-ratelimit-remaining')).toBe(String(LIST_LIMIT - 1));
  });

  it('never lets a client address share the counter of a user id', async () => {
    await exhaust('/api/v1/widgets', LIST_LIMIT, 'GET', tokenFor({ sub: '127.0.0.1' }));
    const anonymous = await demo.request('GET', '/api/v1/widgets');
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('x-ratelimit-remaining')).toBe(String(LIST_LIMIT - 1));
  });

  it('keeps routes with different limits on different counters', async () => {
    for (let i = 0; i < 4; i += 1) await demo.request('GET', '/api/v1/widgets');
    const created = await demo.request('POST', '/api/v1/widgets', { body: { name: 'w' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-ratelimit-limit')).toBe(String(CREATE_LIMIT));
    expect(created.headers.get('x-ratelimit-remaining')).toBe(String(CREATE_LIMIT - 1));
    const listed = await demo.request('GET', '/api/v1/widgets');
    expect(listed.headers.get('x-ratelimit-remaining')).toBe(String(LIST_LIMIT - 5));
  });

  it('counts a HEAD request on the counter of its GET route', async () => {
    await exhaust('/api/v1/widgets', LIST_LIMIT);
    expect(await passes(['/api/v1/widgets', '/api/v1/widgets'], 'HEAD')).toBe(0);
  });
});
