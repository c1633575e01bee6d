import { DROPPED_FIELD_NAMES } from '../support/admin-input.arbitraries.js';
import { expectInvalid, type AdminReply } from '../support/admin-client.js';
import { escapeRegExp } from '../support/admin-raw-client.js';
import { type RunningDemo, startDemo } from '../support/demo-app.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** Every character percent-encoded: `__proto__` → `%5F%5Fproto…`, hex in upper case. */
const encodeAll = (key: string) =>
  [...Buffer.from(key)]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
/** Only the letters percent-encoded, in lower-case hex: `__%70%72%6f…`. */
const encodeLetters = (key: string) =>
  key.replace(/[a-z]/gi, (c) => `%${c.charCodeAt(0).toString(16).toLowerCase()}`);

const LISTS = ['/tiers', '/rate-limits'];
const SPELLINGS: [string, (key: string) => string][] = [
  ['plain', (key) => key],
  ['fully percent-encoded', encodeAll],
  ['letters percent-encoded', encodeLetters],
];

describe.each(adapters)('list queries with keys the pipeline used to drop, on %s', (adapter) => {
  let demo: RunningDemo;
  const get = async (path: string): Promise<AdminReply<unknown>> => {
    const response = await demo.request('GET', `/api/v1${path}`);
    return {
      status: response.status,
      body: (await response.json()) as AdminReply<unknown>['body'],
    };
  };

  beforeAll(async () => {
    demo = await startDemo({}, { adapter });
  });
  afterAll(async () => {
    await demo.close();
  });

  describe.each(SPELLINGS)('spelled %s', (_spelling, spell) => {
    it.each(DROPPED_FIELD_NAMES)(
      'refuses ?%s=1 with a 400 naming it, on every list',
      async (key) => {
        for (const list of LISTS) {
          expectInvalid(await get(`${list}?${spell(key)}=1`), escapeRegExp(key));
          expectInvalid(
            await get(`${list}?page=1&${spell(key)}=x&itemsPerPage=2`),
            escapeRegExp(key),
          );
        }
      },
    );
  });

  it('still answers valid and empty queries, and refuses other unknown keys', async () => {
    for (const list of LISTS) {
      expect((await get(`${list}?page=1&itemsPerPage=2`)).status).toBe(200);
      expect((await get(list)).status).toBe(200);
      expectInvalid(await get(`${list}?x=1`), 'x');
    }
  });
});
