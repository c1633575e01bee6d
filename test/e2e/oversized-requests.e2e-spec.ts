import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import jwt from 'jsonwebtoken';
import {
  buildRateLimitKey,
  MAX_KEY_PART_LENGTH,
  MemoryRateLimitStore,
  RATE_LIMIT_OPTIONS,
  type RateLimitCallerKind,
  RateLimitStore,
  type ResolvedRateLimitOptions,
  sanitizePath,
} from 'nest-tier-rate-limit';
import { type RunningDemo, startDemo, TEST_JWT_SECRET } from '../support/demo-app.js';
import { closeRawConnections, type RawReply, rawRequest } from '../support/raw-http.js';

const CLIENT = '127.0.0.1';
const KB = 1024;
const REPEATED = 2_000;

/** A full garbage collection, when V8 lets one be forced (Jest does not expose `gc`). */
function forcedGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('oversized requests to a rate-limited route (demo, memory store)', () => {
  let demo: RunningDemo;
  let store: MemoryRateLimitStore;
  let prefix: string;
  /** The longest key the guard may write: prefix, caller kind, three separators, two parts. */
  let maxKey: number;

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(demo.url, 'GET', path, { headers });
  /** The key of a GET on the demo's widget routes (no operator rule: keyed per route). */
  const keyOf = (kind: RateLimitCallerKind, caller: string, path: string, route = 'GET') =>
    buildRateLimitKey(prefix, kind, caller, `${sanitizePath(path)}#${route}`);
  /** The route part of the key for `GET /api/v1/widgets/:id`. */
  const ONE_WIDGET = 'GET@api_v1_widgets_{id}';
  /** Counters whose key is longer than the bound (removed by the check, which matters not). */
  const overlongKeys = () => store.resetPattern(`${'?'.repeat(maxKey + 1)}*`);
  const expectRateLimited = (reply: RawReply) =>
    expect(reply.headers['x-ratelimit-limit']).toMatch(/^\d+$/);

  beforeAll(async () => {
    demo = await startDemo({}, { adapter: 'express' });
    const found = demo.app.get(RateLimitStore);
    if (!(found instanceof MemoryRateLimitStore)) throw new Error('expected the memory store');
    store = found;
    prefix = demo.app.get<string, ResolvedRateLimitOptions>(RATE_LIMIT_OPTIONS).keyPrefix;
    maxKey = prefix.length + ':user:'.length + 1 + 2 * MAX_KEY_PART_LENGTH;
  }, 60_000);
  afterAll(async () => {
    closeRawConnections();
    await demo.close();
  });

  it('an 8 KB path: a clean 400, counted once under a bounded key', async () => {
    const path = `/api/v1/widgets/${'9'.repeat(8 * KB)}x`;
    const reply = await get(path);
    expect(reply.status).toBe(400);
    expectRateLimited(reply);
    const key = keyOf('ip', CLIENT, path, ONE_WIDGET);
    expect(key.length).toBeLessThanOrEqual(maxKey);
    expect(await store.getCount(key)).toBe(1);
    expect(await overlongKeys()).toBe(0);
  });

  it('an 8 KB query string: served, and never part of the key', async () => {
    const key = keyOf('ip', CLIENT, '/api/v1/widgets');
    const before = await store.getCount(key);
    const reply = await get(`/api/v1/widgets?q=${'q'.repeat(8 * KB)}`);
    expect(reply.status).toBe(200);
    expect(await store.getCount(key)).toBe(before + 1);
  });

  it('a signed token with a 10 KB sub: served, counted under a bounded key', async () => {
    const sub = 'u'.repeat(10 * KB);
    const token = jwt.sign({ sub }, TEST_JWT_SECRET, { algorithm: 'HS256' });
    const reply = await get('/api/v1/widgets', { authorization: `Bearer ${token}` });
    expect(reply.status).toBe(200);
    expect(await store.getCount(keyOf('user', sub, '/api/v1/widgets'))).toBe(1);
    expect(await overlongKeys()).toBe(0);
  });

  it('a 12 KB header is served normally; 20 KB of headers and a 60 KB path are a 431', async () => {
    const padded = await get('/api/v1/widgets', { 'x-padding': 'p'.repeat(12 * KB) });
    expect(padded.status).toBe(200);
    expectRateLimited(padded);
    // Node refuses a header section over 16 KB (request line included) before the app runs.
    expect((await get('/api/v1/widgets', { 'x-padding': 'p'.repeat(20 * KB) })).status).toBe(431);
    expect((await get(`/api/v1/widgets/${'7'.repeat(60 * KB)}`)).status).toBe(431);
    expect((await get('/api/v1/widgets')).status).toBe(200);
  });

  it(`${REPEATED} requests with distinct 8 KB paths: one bounded key each, heap bounded`, async () => {
    const gc = forcedGc();
    const sizeBefore = store.size;
    const heapBefore = gc && heapAfterGc(gc);
    const tail = 'a'.repeat(8 * KB);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < REPEATED; i = next++) {
        const reply = await get(`/api/v1/widgets/${tail}${i}`);
        expect(reply.status).toBe(400);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // One counter per distinct path at most (fewer if windows expired and were swept meanwhile).
    expect(store.size - sizeBefore).toBeLessThanOrEqual(REPEATED);
    expect(store.size - sizeBefore).toBeGreaterThan(0);
    expect(await overlongKeys()).toBe(0);
    if (gc !== undefined && heapBefore !== undefined) {
      // Unbounded keys would keep REPEATED × 8 KB (16 MB); bounded ones well under 1 MB.
      expect(heapAfterGc(gc) - heapBefore).toBeLessThan((REPEATED * 8 * KB) / 2);
    }
  }, 120_000);
});
