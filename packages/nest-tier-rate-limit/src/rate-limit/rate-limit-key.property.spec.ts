import fc from 'fast-check';
import {
  buildRateLimitKey,
  MAX_KEY_PART_LENGTH,
  type RateLimitCallerKind,
} from './rate-limit-key.js';

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

const key = (caller: string, path: string, kind: RateLimitCallerKind = 'user') =>
  buildRateLimitKey(PREFIX, kind, caller, path);
/** Where the caller part starts: after the prefix, the hash tag's brace and the `user` kind. */
const CALLER_START = `${PREFIX}:{user:`.length;
/** What follows the caller: the closing brace of the hash tag and the path's separator. */
const CALLER_END = '}:';
const kinds = fc.constantFrom<RateLimitCallerKind>('user', 'ip');
const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('buildRateLimitKey (property)', () => {
  it('is bounded in characters and in UTF-8 bytes, whatever the caller and path', () => {
    const maxLength = CALLER_START + CALLER_END.length + 2 * MAX_KEY_PART_LENGTH;
    fc.assert(
      fc.property(anyPart, anyPart, (caller, path) => {
        const built = key(caller, path);
        expect(built.length).toBeLessThanOrEqual(maxLength);
        // At most 3 UTF-8 bytes per UTF-16 unit (a pair of units makes 4 bytes).
        expect(utf8Bytes(built)).toBeLessThanOrEqual(
          CALLER_START + CALLER_END.length + 6 * MAX_KEY_PART_LENGTH,
        );
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
        expect(built).toBe(`${PREFIX}:{user:${caller}}:${p}`);
        // The last "}:" separates caller from path, whatever ":" or "}" the caller holds (IPv6).
        expect(built.slice(CALLER_START, built.lastIndexOf(CALLER_END))).toBe(caller);
      }),
      RUNS,
    );
  });

  it('gives distinct (kind, caller, path) triples distinct keys', () => {
    fc.assert(
      fc.property(kinds, anyPart, anyPart, kinds, anyPart, anyPart, (k1, c1, p1, k2, c2, p2) => {
        fc.pre(k1 !== k2 || c1 !== c2 || p1 !== p2);
        expect(key(c1, p1, k1)).not.toBe(key(c2, p2, k2));
      }),
      RUNS,
    );
  });

  it('never lets a user id share the key of an address, whatever the id spells', () => {
    fc.assert(
      fc.property(anyPart, anyPart, anyPart, (address, id, path) => {
        expect(key(id, path, 'user')).not.toBe(key(address, path, 'ip'));
        expect(key(`ip:${address}`, path, 'user')).not.toBe(key(address, path, 'ip'));
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
        const hashedPath = key('c', long).slice(`${PREFIX}:{user:c}:`.length);
        expect(hashedPath).toHaveLength(MAX_KEY_PART_LENGTH);
        expect(key('c', hashedPath)).not.toBe(key('c', long));
        const hashedCaller = key(long, 'p').slice(CALLER_START, -'}:p'.length);
        expect(key(hashedCaller, 'p')).not.toBe(key(long, 'p'));
      }),
      RUNS,
    );
  });

  it('puts every key of one caller in one Redis Cluster slot: one hash tag per caller', () => {
    // Redis hashes the text between the first "{" and the first "}" after it.
    const tag = (built: string) => {
      const open = built.indexOf('{');
      return built.slice(open + 1, built.indexOf('}', open + 1));
    };
    fc.assert(
      fc.property(kinds, anyPart, anyPart, anyPart, (kind, caller, p1, p2) => {
        const one = tag(key(caller, p1, kind));
        expect(one).not.toBe('');
        expect(tag(key(caller, p2, kind))).toBe(one);
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
