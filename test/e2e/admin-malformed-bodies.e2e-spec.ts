import fc from 'fast-check';
import { anyValue, DROPPED_FIELD_NAMES, rawJson } from '../support/admin-input.arbitraries.js';
import { expectInvalid } from '../support/admin-client.js';
import {
  type AdminRecord,
  asAdminReply,
  escapeRegExp,
  rawAdminClient,
} from '../support/admin-raw-client.js';

// Failures print fast-check's seed and path: pass them as `{ seed, path }` to replay one.
const SLOW = 120_000;
const JSON_TYPE = 'application/json';

/** A tier body whose `name` is `depth` levels of `open`, around `inner`, then as many `close`. */
const nested = (open: string, close: string, depth: number, inner = '') =>
  `{"name":${open.repeat(depth)}${inner}${close.repeat(depth)}}`;

describe('admin API: malformed bodies (Express)', () => {
  const admin = rawAdminClient();
  const { send, count } = admin;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}${(counter += 1)}`;
  let keptTier: AdminRecord;
  let keptRule: AdminRecord;

  beforeAll(async () => {
    await admin.start();
    keptTier = await admin.create('tiers', { name: 'kept_tier' });
    const rule = { name: 'kept_rule', tierId: keptTier.id, path: '/kept', limit: 5, period: 60 };
    keptRule = await admin.create('rate-limits', rule);
  }, 60_000);
  afterAll(admin.close);

  /** `send`, then a 4xx and as many tiers as before. */
  async function expectClientError(body: string | Buffer, type = JSON_TYPE) {
    const before = await count('tiers');
    const answer = await send('POST', '/tiers', body, type);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await count('tiers')).toBe(before);
  }

  it(
    'refuses JSON truncated anywhere with a 4xx, storing nothing',
    async () => {
      const body = rawJson({ name: '"truncated"', description: '"a description"' });
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: body.length - 1 }), (end) =>
          expectClientError(body.slice(0, end)),
        ),
        { numRuns: body.length },
      );
    },
    SLOW,
  );

  it.each([
    ['a 1 MB body', rawJson({ name: JSON.stringify('x'.repeat(1 << 20)) }), JSON_TYPE],
    ['1,000 nested arrays', nested('[', ']', 1_000), JSON_TYPE],
    ['1,000 nested objects', nested('{"a":', '}', 1_000, '1'), JSON_TYPE],
    ['a JSON string', '"free"', JSON_TYPE],
    ['a JSON number', '42', JSON_TYPE],
    ['null', 'null', JSON_TYPE],
    ['an array', '[{"name":"in_array"}]', JSON_TYPE],
    ['not JSON at all', 'name=free', JSON_TYPE],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x7d]), JSON_TYPE],
    ['a UTF-16 charset', '{"name":"utf16"}', `${JSON_TYPE}; charset=utf-16`],
    ['a text/plain body', '{"name":"plain"}', 'text/plain'],
  ])('refuses %s with a 4xx, storing nothing', async (_case, body, type) => {
    await expectClientError(body, type);
  });

  // class-transformer recurses once per level: StrictValidationPipe refuses deep bodies first.
  it.each([
    ['1,500 nested arrays', nested('[', ']', 1_500)],
    ['20,000 nested arrays', nested('[', ']', 20_000)],
    ['15,000 nested objects', nested('{"a":', '}', 15_000, '1')],
  ])('refuses %s with a 400', async (_case, body) => {
    expect((await send('POST', '/tiers', body)).status).toBe(400);
  });

  it('keeps serving after a body nested too deeply', async () => {
    await send('POST', '/tiers', nested('[', ']', 20_000));
    expect((await send('GET', `/tiers/${keptTier.name}`)).status).toBe(200);
  });

  describe('fields the validation pipeline drops (__proto__, toString…)', () => {
    const writes = fc.constantFrom(
      () => ({ method: 'POST', path: '/tiers', base: { name: JSON.stringify(unique('proto')) } }),
      () => ({ method: 'PATCH', path: `/tiers/${keptTier.name}`, base: {} }),
      () => ({ method: 'PATCH', path: `/rate-limits/${keptRule.name}`, base: {} }),
    );
    const records = async () => {
      const paths = [`/tiers/${keptTier.name}`, `/rate-limits/${keptRule.name}`];
      const found = await Promise.all(paths.map(async (path) => (await send('GET', path)).json));
      return found.map((record) => ({ ...(record as object), updatedAt: 'ignored' }));
    };
    /** Object.prototype's members: a pollution would add or replace one. */
    const prototype = (): [string, unknown][] =>
      Object.getOwnPropertyNames(Object.prototype).map((name) => [
        name,
        Object.getOwnPropertyDescriptor(Object.prototype, name)?.value as unknown,
      ]);

    it(
      'are never applied, never answered back, never a 500',
      async () => {
        const [recordsBefore, prototypeBefore] = [await records(), prototype()];
        const key = fc.constantFrom(...DROPPED_FIELD_NAMES);
        await fc.assert(
          fc.asyncProperty(writes, key, anyValue, async (write, field, raw) => {
            const { method, path, base } = write();
            const answer = await send(method, path, rawJson({ ...base, [field]: raw }));
            expect([200, 201, 400]).toContain(answer.status);
            if (answer.status !== 400)
              expect(Object.keys(answer.json as object)).not.toContain(field);
          }),
          { numRuns: 100 },
        );
        expect(await records()).toEqual(recordsBefore);
        expect(prototype()).toEqual(prototypeBefore);
      },
      SLOW,
    );

    // Nest and class-transformer drop these before the whitelist looks: StrictValidationPipe refuses them.
    it.each(DROPPED_FIELD_NAMES)('refuses an unknown "%s" field', async (key) => {
      const body = rawJson({ name: JSON.stringify(unique('proto')), [key]: '"x"' });
      expectInvalid(asAdminReply(await send('POST', '/tiers', body)), escapeRegExp(key));
    });
  });
});
