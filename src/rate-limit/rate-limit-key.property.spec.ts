import fc from 'fast-check';
import { buildRateLimitKey, MAX_KEY_PART_LENGTH } from './rate-limit-key.js';

// Failures print fast-check's seed and path: pass them as `{ seed, path }` to replay one.
const RUNS = { numRuns: 500 };
const PREFIX = 'ratelimit';

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
/** Characters that play a part in keys: separators, the hash marker, surrogate halves. */
const keyish = fc.constantFrom(':', '~', '_', '/', 'a', '\ud800', '\udc00', '😀', ' ', '\n');

const shortPart = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: keyish, maxLength: 40 }),
);
/** Parts around the bound, where verbatim turns into hashed. */
const boundaryPart = fc
  .tuple(
    fc.string({ unit: keyish, minLength: 1, maxLength: 4 }),
    fc.integer({ min: 120, max: 136 }),
  )
  .map(([seed, length]) => seed.repeat(length).slice(0, length));
/** Up to 100,000 characters, built by repetition so that generating it stays cheap. */
const longPart = fc
  .tuple(shortPart, fc.integer({ min: 129, max: 100_000 }), shortPart)
  .map(([seed, length, tail]) => (seed || 'x').repeat(length).slice(0, length) + tail);
const anyPart = fc.oneof(shortPart, boundaryPart, longPart);

const key = (caller: string, path: string) => buildRateLimitKey(PREFIX, caller, path);
const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('buildRateLimitKey (property)', () => {
  it('is bounded in characters and in UTF-8 bytes, whatever the caller and path', () => {
    const maxLength = PREFIX.length + 2 + 2 * MAX_KEY_PART_LENGTH;
    fc.assert(
      fc.property(anyPart, anyPart, (caller, path) => {
        const built = key(caller, path);
        expect(built.length).toBeLessThanOrEqual(maxLength);
        // At most 3 UTF-8 bytes per UTF-16 unit (a pair of units makes 4 bytes).
        expect(utf8Bytes(built)).toBeLessThanOrEqual(PREFIX.length + 2 + 6 * MAX_KEY_PART_LENGTH);
        expect(key(caller, path)).toBe(built);
      }),
      RUNS,
    );
  });

  it('is well-formed Unicode, so stores that encode it as UTF-8 lose nothing', () => {
    fc.assert(
      fc.property(anyPart, anyPart, (caller, path) => {
        const built = key(caller, path);
        expect(built).not.toMatch(/\p{Cs}/u);
        expect(Buffer.from(built, 'utf8').toString('utf8')).toBe(built);
      }),
      RUNS,
    );
  });

  it('keeps a short, well-formed caller and a short path without ":" verbatim', () => {
    const plain = fc
      .string({ unit: 'binary', maxLength: MAX_KEY_PART_LENGTH - 1 })
      .filter((text) => text.length < MAX_KEY_PART_LENGTH);
    const path = plain.map((text) => text.replaceAll(':', '_'));
    fc.assert(
      fc.property(plain, path, (caller, p) => {
        const built = key(caller, p);
        expect(built).toBe(`${PREFIX}:${caller}:${p}`);
        // The last ":" separates caller from path, whatever ":" the caller holds (IPv6).
        expect(built.slice(PREFIX.length + 1, built.lastIndexOf(':'))).toBe(caller);
      }),
      RUNS,
    );
  });

  it('gives distinct (caller, path) pairs distinct keys', () => {
    fc.assert(
      fc.property(anyPart, anyPart, anyPart, anyPart, (c1, p1, c2, p2) => {
        fc.pre(c1 !== c2 || p1 !== p2);
        expect(key(c1, p1)).not.toBe(key(c2, p2));
      }),
      RUNS,
    );
  });

  it('does not let a ":" move between caller and path ("a:b" + "c" vs "a" + "b:c")', () => {
    fc.assert(
      fc.property(anyPart, anyPart, anyPart, (a, b, c) => {
        expect(key(`${a}:${b}`, c)).not.toBe(key(a, `${b}:${c}`));
      }),
      RUNS,
    );
  });

  it('never lets a verbatim part equal the hashed form of another', () => {
    fc.assert(
      fc.property(longPart, (long) => {
        const hashedPath = key('c', long).slice(`${PREFIX}:c:`.length);
        expect(hashedPath).toHaveLength(MAX_KEY_PART_LENGTH);
        expect(key('c', hashedPath)).not.toBe(key('c', long));
        const hashedCaller = key(long, 'p').slice(PREFIX.length + 1, -':p'.length);
        expect(key(hashedCaller, 'p')).not.toBe(key(long, 'p'));
      }),
      RUNS,
    );
  });

  it('tells apart parts that differ only after the readable head, even by a lone surrogate', () => {
    const variants = fc.constantFrom(['a', 'b'], ['\ud800', '\ud801'], ['\udc00', '\ufffd']);
    fc.assert(
      fc.property(anyPart, variants, anyPart, (head, [x, y], tail) => {
        const [one, other] = [head + x + tail, head + y + tail];
        expect(key('c', one)).not.toBe(key('c', other));
        expect(key(one, 'p')).not.toBe(key(other, 'p'));
      }),
      RUNS,
    );
  });
});
