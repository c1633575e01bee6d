import fc from 'fast-check';
import { requestPath, sanitizePath, sanitizeRouteTemplate } from './rate-limit-path.js';

// Failures print fast-check's seed and path: pass them as `{ seed, path }` to replay one.
const RUNS = { numRuns: 500 };
const LONG_RUNS = { numRuns: 40 };

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Pieces hostile input is made of: traversal, controls, queries, SQL, templates. */
const hostilePiece = fc.constantFrom(
  '../',
  '..\\',
  '%2e%2e/',
  '%2E%2E%2F',
  '....//',
  '/./',
  '//',
  '/',
  '\u0000',
  '\r\n',
  '\u007f',
  '%00',
  '?',
  '#',
  '?page=2&next=/a/b',
  '#frag/x',
  ':id',
  ':',
  '{id}',
  "'; DROP TABLE tiers; --",
  '" OR 1=1 --',
  'é',
  '😀',
  '\ud800',
  '\u202e',
);

/** A URL-ish string mixing hostile pieces with arbitrary code units and graphemes. */
const hostileText = fc
  .array(
    fc.oneof(
      hostilePiece,
      fc.string({ unit: codeUnit, maxLength: 8 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(''));

/** Up to 100,000 characters, built by repetition so that generating it stays cheap. */
const longText = fc
  .tuple(hostileText, fc.integer({ min: 1_000, max: 100_000 }))
  .map(([seed, length]) => (seed === '' ? '/' : seed).repeat(length).slice(0, length));

const anyText = fc.oneof({ arbitrary: hostileText, weight: 9 }, { arbitrary: longText, weight: 1 });
const withoutQuery = hostileText.map((text) => text.replace(/[?#]/g, ''));
const withoutSlash = hostileText.map((text) => text.replaceAll('/', ''));

describe('requestPath (property)', () => {
  it('answers a prefix of the URL that stops at the first "?" or "#", never throwing', () => {
    fc.assert(
      fc.property(anyText, (url) => {
        const path = requestPath(url);
        expect(url.startsWith(path)).toBe(true);
        expect(path).not.toMatch(/[?#]/);
        expect([undefined, '?', '#']).toContain(url[path.length]);
      }),
      RUNS,
    );
  });

  it('drops any query string or fragment, whatever it holds', () => {
    fc.assert(
      fc.property(withoutQuery, fc.constantFrom('?', '#'), anyText, (path, mark, rest) => {
        expect(requestPath(`${path}${mark}${rest}`)).toBe(path);
      }),
      RUNS,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, (url) => expect(requestPath(requestPath(url))).toBe(requestPath(url))),
      RUNS,
    );
  });
});

describe('sanitizePath (property)', () => {
  it('never throws, never grows, and never leaves a "/"', () => {
    fc.assert(
      fc.property(anyText, (path) => {
        const sanitized = sanitizePath(path);
        expect(sanitized.length).toBeLessThanOrEqual(path.length);
        expect(sanitized).not.toContain('/');
      }),
      RUNS,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, (path) =>
        expect(sanitizePath(sanitizePath(path))).toBe(sanitizePath(path)),
      ),
      RUNS,
    );
  });

  // It makes keys, not file paths: `..`, `%2e`, `\`, controls and SQL are kept as they are.
  it('keeps a path without "/" exactly as given', () => {
    fc.assert(
      fc.property(withoutSlash, (path) => expect(sanitizePath(path)).toBe(path)),
      RUNS,
    );
  });

  it('ignores leading and trailing slashes', () => {
    fc.assert(
      fc.property(fc.nat(5), anyText, fc.nat(5), (before, path, after) => {
        const padded = `${'/'.repeat(before)}${path}${'/'.repeat(after)}`;
        expect(sanitizePath(padded)).toBe(sanitizePath(path));
      }),
      RUNS,
    );
  });

  it('joins the segments between the outer slashes with "_"', () => {
    const segment = withoutSlash;
    const edge = segment.filter((text) => text !== '');
    fc.assert(
      fc.property(edge, fc.array(segment, { maxLength: 10 }), edge, (first, middle, last) => {
        const segments = [first, ...middle, last];
        expect(sanitizePath(segments.join('/'))).toBe(segments.join('_'));
      }),
      RUNS,
    );
  });

  it('is not one-to-one, by design: "/" and "_" sanitize alike', () => {
    expect(sanitizePath('/api/v1_x')).toBe(sanitizePath('/api_v1/x'));
  });
});

describe('sanitizeRouteTemplate (property)', () => {
  const paramName = fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/);
  const literal = fc
    .string({ unit: codeUnit, minLength: 1, maxLength: 12 })
    .map((text) => text.replace(/[/:{}]/g, 'x'));

  // A ":" before a "/" stays, and the "/" becomes "_", a name character: see the last test.
  const withoutColonSlash = anyText.map((text) => text.replace(/:+\//g, '/'));

  it('never throws, never leaves a "/", and grows by at most one character per ":"', () => {
    fc.assert(
      fc.property(anyText, (template) => {
        const sanitized = sanitizeRouteTemplate(template);
        expect(sanitized).not.toContain('/');
        const colons = template.split(':').length - 1;
        expect(sanitized.length).toBeLessThanOrEqual(template.length + colons);
      }),
      RUNS,
    );
  });

  it('leaves no ":param" and is idempotent when no ":" precedes a "/"', () => {
    fc.assert(
      fc.property(withoutColonSlash, (template) => {
        const once = sanitizeRouteTemplate(template);
        expect(once).not.toMatch(/:[A-Za-z0-9_]/);
        expect(sanitizeRouteTemplate(once)).toBe(once);
      }),
      RUNS,
    );
  });

  it('equals sanitizePath on a template without ":"', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const template = text.replaceAll(':', '');
        expect(sanitizeRouteTemplate(template)).toBe(sanitizePath(template));
      }),
      RUNS,
    );
  });

  it('stores "/:param" and "/{param}" alike', () => {
    const segment = fc.oneof(
      literal.map((text) => ({ colon: text, brace: text, stored: text })),
      paramName.map((name) => ({ colon: `:${name}`, brace: `{${name}}`, stored: `{${name}}` })),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 8 }), (segments) => {
        const stored = segments.map((s) => s.stored).join('_');
        expect(sanitizeRouteTemplate(`/${segments.map((s) => s.colon).join('/')}`)).toBe(stored);
        expect(sanitizeRouteTemplate(`/${segments.map((s) => s.brace).join('/')}`)).toBe(stored);
      }),
      RUNS,
    );
  });

  // Found by the idempotence property: "api_:_x" reads as the template "api_{_x}" when given
  // again, so a stored path holding ":" then "/" does not survive being written back.
  it('is not idempotent when a ":" precedes a "/" (an ambiguity of the accepted forms)', () => {
    expect(sanitizeRouteTemplate('/api/:/x')).toBe('api_:_x');
    expect(sanitizeRouteTemplate('api_:_x')).toBe('api_{_x}');
  });
});

describe('the key path of a request URL (property)', () => {
  const keyPath = (url: string) => sanitizePath(requestPath(url));

  it('never holds "/", "?" or "#", and no query changes it', () => {
    fc.assert(
      fc.property(withoutQuery, fc.constantFrom('?', '#'), anyText, (path, mark, rest) => {
        expect(keyPath(`${path}${mark}${rest}`)).toBe(keyPath(path));
        expect(keyPath(path)).not.toMatch(/[/?#]/);
      }),
      RUNS,
    );
  });

  it('handles URLs of up to 100,000 characters', () => {
    fc.assert(
      fc.property(longText, (url) => {
        expect(keyPath(url).length).toBeLessThanOrEqual(url.length);
      }),
      LONG_RUNS,
    );
  });
});
