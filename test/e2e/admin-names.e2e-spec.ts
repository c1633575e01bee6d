import { adapters } from '../support/rate-limit-test-app.js';
import { adminClient, expectInvalid } from '../support/admin-client.js';

interface Row {
  id: number;
  name: string;
  description: string | null;
  path: string;
}

/** U+00E9 and its decomposed spelling, `e` + U+0301: one name in NFC. */
const COMPOSED = '\u00e9';
const DECOMPOSED = 'e\u0301';

/** Bidi controls, then other characters that cannot be seen (format, control, separators). */
const BIDI = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e'];
const ISOLATES = ['\u2066', '\u2067', '\u2068', '\u2069'];
const INVISIBLE = ['\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u{e0041}', '\u2028', '\t'];
const escaped = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

describe.each(adapters)('admin API: names on %s', (adapter) => {
  const { get, post, patch, start, close } = adminClient<Row>(adapter);
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${(counter += 1)}`;
  let tierId: number;
  let tierName: string;

  beforeAll(async () => {
    await start();
    ({ id: tierId, name: tierName } = (await post('/tiers', { name: unique('names') }))
      .body as Row);
  });
  afterAll(close);

  const rule = (name: string, path = `/${unique('p')}`) => ({
    name,
    tierId,
    path,
    limit: 5,
    period: 60,
  });

  describe.each([
    ['tiers', (name: string) => ({ name })],
    ['rate-limits', (name: string) => rule(name)],
  ])('/%s', (resource, body) => {
    it('stores a name in NFC: the other spelling is taken (409) and finds it', async () => {
      const stem = unique('caf');
      const created = await post(`/${resource}`, body(`${stem}${DECOMPOSED}`));
      expect(created).toMatchObject({ status: 201, body: { name: `${stem}${COMPOSED}` } });
      const again = await post(`/${resource}`, body(`${stem}${COMPOSED}`));
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/taken/);
      for (const spelling of [COMPOSED, DECOMPOSED]) {
        const found = await get(`/${resource}/${encodeURIComponent(stem + spelling)}`);
        expect(found).toMatchObject({ status: 200, body: { id: created.body.id } });
      }
    });

    it('renames in NFC, and refuses a rename to the other spelling of a taken name', async () => {
      const [first, second] = [unique('a'), unique('b')];
      await post(`/${resource}`, body(`${first}${COMPOSED}`));
      await post(`/${resource}`, body(second));
      const clash = await patch(`/${resource}/${second}`, { name: `${first}${DECOMPOSED}` });
      expect(clash.status).toBe(409);
      const renamed = await patch(`/${resource}/${second}`, { name: `${second}${DECOMPOSED}` });
      expect(renamed).toMatchObject({ status: 200, body: { name: `${second}${COMPOSED}` } });
    });

    it.each([...BIDI, ...ISOLATES, ...INVISIBLE].map((c) => [escaped(c), c]))(
      'refuses a name holding %s with a 400 naming the field, on create and update',
      async (_code, character) => {
        const name = `${unique('x')}${character}y`;
        expectInvalid(await post(`/${resource}`, body(name)), 'name');
        const kept = unique('kept');
        expect((await post(`/${resource}`, body(kept))).status).toBe(201);
        expectInvalid(await patch(`/${resource}/${kept}`, { name }), 'name');
        expect(await get(`/${resource}/${kept}`)).toMatchObject({
          status: 200,
          body: { name: kept },
        });
      },
    );
  });

  describe('descriptions', () => {
    it('stores them in NFC, line breaks and joiners kept', async () => {
      const description = `caf${DECOMPOSED}\nline two \u{1f468}\u200d\u{1f469}`;
      const created = await post('/tiers', { name: unique('d'), description });
      expect(created).toMatchObject({
        status: 201,
        body: { description: description.normalize() },
      });
    });

    it.each([...BIDI, ...ISOLATES].map((c) => [escaped(c), c]))(
      'refuses one holding the bidi control %s, on create and update',
      async (_code, character) => {
        const description = `price ${character}01$`;
        expectInvalid(await post('/tiers', { name: unique('d'), description }), 'description');
        const name = unique('d');
        await post('/tiers', { name });
        expectInvalid(await patch(`/tiers/${name}`, { description }), 'description');
      },
    );
  });

  describe('rule paths (they make the generated rule names)', () => {
    it('are stored in NFC, so a generated name is found by either spelling', async () => {
      const segment = unique('gen');
      const path = `/${segment}/caf${DECOMPOSED}`;
      const created = await post('/rate-limits', { tierId, path, limit: 5, period: 60 });
      const stored = `${segment}_caf${COMPOSED}`;
      expect(created).toMatchObject({
        status: 201,
        body: { path: stored, name: `${tierName}_${stored}` },
      });
      for (const name of [`${tierName}_${stored}`, `${tierName}_${segment}_caf${DECOMPOSED}`]) {
        const found = await get(`/rate-limits/${encodeURIComponent(name)}`);
        expect(found).toMatchObject({ status: 200, body: { id: created.body.id } });
      }
    });

    it.each([...BIDI, ...ISOLATES, '\u200b'].map((c) => [escaped(c), c]))(
      'refuse %s with a 400 naming the path',
      async (_code, character) => {
        const path = `/${unique('p')}/${character}evil`;
        expectInvalid(await post('/rate-limits', { tierId, path, limit: 5, period: 60 }), 'path');
      },
    );
  });
});
