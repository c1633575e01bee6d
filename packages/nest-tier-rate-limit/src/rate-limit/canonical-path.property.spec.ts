import fc from 'fast-check';
import { canonicalUrlPath } from './canonical-path.js';
import { RouteTemplate } from './route-template.js';

// Failures print fast-check's seed and path: pass them as `{ seed, path }` to replay one.
const RUNS = { numRuns: 500 };

/** Route templates of an app, Express and Fastify syntax alike. */
const templates = ['/api/v1/widgets/:id', '/api/v1/users/:user/items/:item', '/files/*path'];
const template = fc.constantFrom(...templates.map((t) => new RouteTemplate(t)));

/** A resource id in canonical form: a decimal integer, or a lower-case word. */
const canonicalId = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }).map(String),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
  fc.uuid(),
);

/** Spellings a handler reads as the same id: case, blanks, full-width forms, number forms. */
function spellings(id: string): fc.Arbitrary<string> {
  const wrap = fc.tuple(fc.constantFrom('', ' ', '\t', '\u00a0'), fc.constantFrom('', ' ', '\n'));
  const cased = fc
    .array(fc.boolean(), { minLength: id.length, maxLength: id.length })
    .map((upper) => [...id].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
  const fullWidth = fc.constant(
    id.replace(/[0-9a-z]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)),
  );
  const forms = [cased, fullWidth];
  if (/^\d+$/.test(id)) {
    const n = Number(id);
    forms.push(
      fc.nat(5).map((zeros) => `${'0'.repeat(zeros)}${id}`),
      fc.constantFrom(`+${id}`, `${id}.0`, `${id}e0`, `0x${n.toString(16)}`, `${n * 10}e-1`),
    );
  }
  return fc
    .tuple(fc.oneof(...forms), wrap)
    .map(([spelled, [before, after]]) => `${before}${spelled}${after}`);
}

/** The parameters of `template` with every value set from `values`, in its framework's shape. */
function params(template: RouteTemplate, values: string[]): Record<string, unknown> {
  if (template.rulePath.startsWith('files')) return { path: values };
  if (template.rulePath.includes('user')) return { user: values[0], item: values[1] };
  return { id: values[0] };
}

const key = (template: RouteTemplate, values: string[]) =>
  template.sanitizedPath(template.path(params(template, values)) ?? '');

describe('canonical counter paths (property)', () => {
  it('gives every spelling of one resource the counter of its canonical spelling', () => {
    const ids = fc.array(canonicalId, { minLength: 2, maxLength: 2 });
    const spelled = ids.chain((values) =>
      fc.tuple(fc.constant(values), fc.tuple(...values.map(spellings))),
    );
    fc.assert(
      fc.property(template, spelled, (route, [values, spelledValues]) => {
        expect(key(route, spelledValues)).toBe(key(route, values));
      }),
      RUNS,
    );
  });

  it('never gives two distinct resources of one route the same counter', () => {
    const pair = fc.array(canonicalId, { minLength: 2, maxLength: 2 });
    fc.assert(
      fc.property(template, pair, pair, (route, a, b) => {
        fc.pre(params(route, a).id !== undefined ? a[0] !== b[0] : a.join() !== b.join());
        expect(key(route, a)).not.toBe(key(route, b));
      }),
      RUNS,
    );
  });

  it('reads a URL path the same in any case, encoding, slash or dot spelling', () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
    const separator = fc.constantFrom('/', '//', '/./', '/x/../');
    const origin = fc.constantFrom('', 'http://h', 'https://h:1', 'HTTP://[::1]');
    /** Each character upper-cased, percent-encoded, or both, as chosen. */
    const spell = (text: string) =>
      fc.array(fc.nat(3), { minLength: text.length, maxLength: text.length }).map((choices) =>
        [...text]
          .map((c, i) => (choices[i] & 1 ? c.toUpperCase() : c))
          .map((c, i) => (choices[i] & 2 ? `%${c.charCodeAt(0).toString(16)}` : c))
          .join(''),
      );
    const path = fc.array(segment, { minLength: 1, maxLength: 5 });
    const spelled = path.chain((parts) =>
      fc.tuple(fc.constant(parts), fc.tuple(...parts.map(spell)), separator, origin),
    );
    fc.assert(
      fc.property(spelled, ([parts, spelledParts, sep, o]) => {
        const canonical = `/${parts.join('/')}`;
        expect(canonicalUrlPath(`${o}/${spelledParts.join(sep)}/?q=1`)).toBe(canonical);
      }),
      RUNS,
    );
  });
});
