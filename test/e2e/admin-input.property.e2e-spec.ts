import fc from 'fast-check';
import { sanitizeRouteTemplate } from '../../packages/nest-tier-rate-limit/src/rate-limit/rate-limit-path.js';
import { expectInvalid } from '../support/admin-client.js';
import {
  anyValue,
  description,
  invalidFor,
  rawJson,
  rulePath,
  tierNameStem,
  unknownField,
  valid,
} from '../support/admin-input.arbitraries.js';
import { type AdminRecord, asAdminReply, rawAdminClient } from '../support/admin-raw-client.js';

// Failures print fast-check's seed and path: pass them as `{ seed, path }` to replay one.
const RUNS = 150;
const SLOW = 180_000;

type Fields = Record<string, string>;
/** One field of a valid body made invalid (or left out), and the field the 400 must name. */
interface Mutation {
  field: string;
  fields: Fields;
  omit?: string;
}

const mutation = (field: string, isValid: (value: unknown) => boolean) =>
  invalidFor(isValid).map((raw): Mutation => ({ field, fields: { [field]: raw } }));
const unknown = (known: string[]) =>
  fc
    .tuple(unknownField(known), anyValue)
    .map(([k, raw]): Mutation => ({ field: k, fields: { [k]: raw } }));
const missing = (field: string): Mutation => ({ field, fields: {}, omit: field });
const apply = (base: Fields, { fields, omit }: Mutation) => {
  const body: Fields = { ...base, ...fields };
  if (omit !== undefined) delete body[omit];
  return rawJson(body);
};
/** Regressions found by these properties, tried first on every run. */
const example = (field: string, value: string): [Mutation] => [
  { field, fields: { [field]: JSON.stringify(value) } },
];
const named = (name: string) => encodeURIComponent(name);

describe('admin API input, tried systematically (Express)', () => {
  const admin = rawAdminClient();
  const { send, count, expectRefused } = admin;
  let counter = 0;
  const unique = (prefix = 'p') => `${prefix}${(counter += 1)}`;
  let ruleTier: AdminRecord;
  let keptTier: AdminRecord;
  let keptRule: AdminRecord;

  beforeAll(async () => {
    await admin.start();
    ruleTier = await admin.create('tiers', { name: 'rule_tier' });
    keptTier = await admin.create('tiers', { name: 'kept_tier' });
    const rule = { name: 'kept_rule', tierId: ruleTier.id, path: '/kept', limit: 5, period: 60 };
    keptRule = await admin.create('rate-limits', rule);
  }, 60_000);
  afterAll(admin.close);

  describe('/tiers', () => {
    const invalidTier = fc.oneof(
      mutation('name', valid.tierName),
      mutation('description', valid.description),
      unknown(['name', 'description']),
    );
    // A lone surrogate was stored as U+FFFD: another name than the one accepted.
    const examples = [example('name', 'lone\ud800'), example('description', 'x\udc00y')];

    it(
      'POST refuses every invalid body with a 400 naming the field, storing nothing',
      async () => {
        const before = await count('tiers');
        await fc.assert(
          fc.asyncProperty(fc.oneof(invalidTier, fc.constant(missing('name'))), async (change) => {
            const body = apply({ name: JSON.stringify(unique('never')) }, change);
            await expectRefused(await send('POST', '/tiers', body), change.field, 'tiers', before);
          }),
          { numRuns: RUNS, examples },
        );
      },
      SLOW,
    );

    it(
      'PATCH refuses every invalid change with a 400 naming the field, changing nothing',
      async () => {
        const original = (await send('GET', `/tiers/${keptTier.name}`)).json;
        const before = await count('tiers');
        await fc.assert(
          fc.asyncProperty(invalidTier, async (change) => {
            const patched = await send('PATCH', `/tiers/${keptTier.name}`, apply({}, change));
            await expectRefused(patched, change.field, 'tiers', before);
            expect((await send('GET', `/tiers/${keptTier.name}`)).json).toEqual(original);
          }),
          { numRuns: RUNS, examples },
        );
      },
      SLOW,
    );

    it(
      'POST accepts every valid tier, answers it back in NFC, found by the name as sent',
      async () => {
        await fc.assert(
          fc.asyncProperty(tierNameStem, description, async (stem, text) => {
            const name = `${stem}_${unique('t')}`;
            const created = await send(
              'POST',
              '/tiers',
              JSON.stringify({ name, description: text }),
            );
            expect(created.status).toBe(201);
            expect(created.json).toMatchObject({
              name: name.normalize('NFC'),
              description: text?.normalize('NFC') ?? null,
            });
            // The name as sent, in whatever normal form: the route parameter is put in NFC too.
            const fetched = await send('GET', `/tiers/${named(name)}`);
            expect(fetched).toMatchObject({ status: 200, json: created.json });
          }),
          { numRuns: RUNS },
        );
      },
      SLOW,
    );
  });

  describe('/rate-limits', () => {
    const invalidRule = fc.oneof(
      mutation('name', valid.ruleName),
      mutation('tierId', valid.tierId),
      mutation('path', valid.path),
      mutation('limit', valid.limit),
      mutation('period', valid.period),
      unknown(['name', 'tierId', 'path', 'limit', 'period']),
    );
    // Within 255 characters, but 339 once `:a` is stored as `{a}`: the column refused it, a 500.
    const examples = [example('path', '/:a'.repeat(85)), example('name', 'lone\ud800')];
    const validRule = () => ({
      name: JSON.stringify(unique('never')),
      tierId: String(ruleTier.id),
      path: JSON.stringify(`/${unique('never')}`),
      limit: '10',
      period: '60',
    });

    it(
      'POST refuses every invalid body with a 400 naming the field, storing nothing',
      async () => {
        const before = await count('rate-limits');
        const absent = fc.constantFrom('tierId', 'path', 'limit', 'period').map(missing);
        await fc.assert(
          fc.asyncProperty(fc.oneof(invalidRule, absent), async (change) => {
            const posted = await send('POST', '/rate-limits', apply(validRule(), change));
            await expectRefused(posted, change.field, 'rate-limits', before);
          }),
          { numRuns: RUNS, examples },
        );
      },
      SLOW,
    );

    it(
      'PATCH refuses every invalid change with a 400 naming the field, changing nothing',
      async () => {
        const original = (await send('GET', `/rate-limits/${keptRule.name}`)).json;
        const before = await count('rate-limits');
        await fc.assert(
          fc.asyncProperty(invalidRule, async (change) => {
            const patched = await send('PATCH', `/rate-limits/${keptRule.name}`, apply({}, change));
            await expectRefused(patched, change.field, 'rate-limits', before);
            expect((await send('GET', `/rate-limits/${keptRule.name}`)).json).toEqual(original);
          }),
          { numRuns: RUNS, examples },
        );
      },
      SLOW,
    );

    it(
      'POST accepts every valid rule, stores its path in NFC, sanitized, and answers it back',
      async () => {
        const limit = fc.integer({ min: 1, max: 1_000_000_000 });
        const period = fc.integer({ min: 1, max: 31_536_000 });
        await fc.assert(
          fc.asyncProperty(rulePath(unique), limit, period, fc.boolean(), async (path, l, p, n) => {
            const body = { tierId: ruleTier.id, path, limit: l, period: p };
            if (n) Object.assign(body, { name: unique('rule_') });
            const created = await send('POST', '/rate-limits', JSON.stringify(body));
            expect(created.status).toBe(201);
            const stored = sanitizeRouteTemplate(path.normalize('NFC'));
            expect(created.json).toMatchObject({ ...body, path: stored });
            const fetched = await send(
              'GET',
              `/rate-limits/${named((created.json as AdminRecord).name)}`,
            );
            expect(fetched).toMatchObject({ status: 200, json: created.json });
          }),
          { numRuns: RUNS },
        );
      },
      SLOW,
    );
  });

  describe('addresses and queries', () => {
    const kept = () => [keptTier.name, keptRule.name, ruleTier.name];
    const segment = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(named),
      fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', '%C0%AF', '%ED%A0%80', '..', '%2e%2e', '%2F'),
    );

    it(
      'GET, PATCH and DELETE of any name answer 200, 400 or 404, never 500',
      async () => {
        const before = [await count('tiers'), await count('rate-limits')];
        const resource = fc.constantFrom('tiers', 'rate-limits');
        const method = fc.constantFrom('GET', 'PATCH', 'DELETE');
        await fc.assert(
          fc.asyncProperty(resource, method, segment, async (res, verb, name) => {
            fc.pre(!kept().includes(name));
            const answer = await send(verb, `/${res}/${name}`, verb === 'PATCH' ? '{}' : undefined);
            expect([200, 400, 404]).toContain(answer.status);
          }),
          { numRuns: RUNS },
        );
        expect([await count('tiers'), await count('rate-limits')]).toEqual(before);
      },
      SLOW,
    );

    it(
      'list queries answer 200, or 400 naming page or itemsPerPage',
      async () => {
        // Kept under Node's 16 KB header limit, past which Node itself answers 431.
        const value = fc
          .oneof(fc.string({ unit: 'binary', maxLength: 12 }), anyValue)
          .filter((raw) => named(raw).length < 12 * 1024);
        await fc.assert(
          fc.asyncProperty(fc.constantFrom('page', 'itemsPerPage'), value, async (field, raw) => {
            const answer = await send('GET', `/tiers?${field}=${named(raw)}`);
            if (answer.status !== 200) expectInvalid(asAdminReply(answer), field);
          }),
          { numRuns: RUNS },
        );
      },
      SLOW,
    );
  });
});
