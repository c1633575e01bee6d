import fc from 'fast-check';
import { MAX_INT4 } from '../../packages/nest-tier-rate-limit/src/rate-limit-admin/field-rules.js';
import { sanitizeRouteTemplate } from '../../packages/nest-tier-rate-limit/src/rate-limit/rate-limit-path.js';

/**
 * Generators of hostile admin-API input, and the documented validity rules they are sorted by
 * (README, "Admin API"). Values are raw JSON text, so that `-0`, `1e400` (Infinity) and other
 * numbers `JSON.stringify` cannot write reach the server.
 */

/** Refused in names: controls, format characters (bidi controls among them), line separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Refused in descriptions: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069. */
const BIDI_CONTROL = /\p{Bidi_Control}/u;
const LONE_SURROGATE = /\p{Cs}/u;
const text = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;
/** Names, descriptions and paths are put in NFC first: the rules apply to that form. */
const nfc = (value: unknown) => (typeof value === 'string' ? value.normalize('NFC') : value);
const isName = (max: number) => (value: unknown) => {
  const v = nfc(value);
  return text(v, 1, max) && !INVISIBLE.test(v) && !LONE_SURROGATE.test(v);
};
const intIn = (min: number, max: number) => (value: unknown) =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** What the API accepts in each field, as documented. */
export const valid = {
  tierName: isName(50),
  description: (value: unknown) => {
    const v = nfc(value);
    if (v === null) return true;
    if (!text(v, 0, 500) || v.includes('\u0000')) return false;
    return !LONE_SURROGATE.test(v) && !BIDI_CONTROL.test(v);
  },
  ruleName: isName(100),
  /** Any integer id passes validation (an unknown one is a 404, not a 400). */
  tierId: intIn(1, MAX_INT4),
  path: (value: unknown) => {
    const v = nfc(value);
    if (!text(v, 1, 255) || !/^[^\s?#\p{Cc}\p{Cf}]+$/u.test(v) || LONE_SURROGATE.test(v)) {
      return false;
    }
    // A ":" must start a parameter name.
    if (/:(?![A-Za-z0-9_])/.test(v)) return false;
    const stored = sanitizeRouteTemplate(v);
    return stored !== '' && stored.length <= 255 && (stored === '*' || !stored.includes('*'));
  },
  limit: intIn(1, 1_000_000_000),
  period: intIn(1, 31_536_000),
};

/** Any UTF-16 code unit, lone surrogates and control characters included. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));

/** Strings made to hurt: SQL, traversal, controls, unicode, templates, long runs. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    "'; DROP TABLE tiers; --",
    "x' OR '1'='1",
    'Robert"); DELETE FROM rate_limits; --',
    '../../etc/passwd',
    '/api/v1/../../x',
    '%2e%2e/%2e%2e/',
    '..\\..\\windows',
    '\u0000',
    'a\u0000b',
    'line\r\nbreak',
    'del\u007f',
    '\u0085next-line',
    'lone\ud800',
    'rtl\u202eevil',
    'zero\u200bwidth',
    '😀',
    ' ',
    '',
    'a b',
    '/x?a=1',
    '/x#frag',
    '/',
    '///',
  ),
  fc.string({ unit: codeUnit, maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc
    .tuple(
      fc.string({ unit: codeUnit, minLength: 1, maxLength: 4 }),
      fc.integer({ min: 40, max: 8_000 }),
    )
    .map(([seed, length]) => seed.repeat(length).slice(0, length)),
  // Within 255 characters, but longer than 255 once `:a` is stored as `{a}`.
  fc.integer({ min: 64, max: 85 }).map((n) => '/:a'.repeat(n)),
);

/** Numbers at and beyond every bound, and the wrong JSON types. */
const edgeValue = fc.constantFrom(
  '-0',
  '0',
  '-1',
  '0.5',
  '1.5',
  '1000000001',
  '31536001',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740992',
  '9007199254740993',
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '1e-400',
  '5e-324',
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"1"',
  '"0x10"',
  '"1e3"',
  'true',
  'false',
  'null',
  '[]',
  '{}',
  '[1]',
  '["a"]',
  '{"$gt":0}',
  '{"name":"x"}',
);

/** A raw JSON value of any kind. */
export const anyValue = fc.oneof(
  edgeValue,
  hostileString.map((s) => JSON.stringify(s)),
  fc.json({ maxDepth: 3 }),
);

/** A raw JSON value the field must refuse. */
export const invalidFor = (isValid: (value: unknown) => boolean) =>
  anyValue.filter((raw) => !isValid(JSON.parse(raw)));

/**
 * Field names the validation pipeline drops instead of refusing: Nest's ValidationPipe strips
 * `__proto__`, `prototype` and `constructor`, and class-transformer skips a key naming a method
 * of the DTO (every `Object.prototype` member). Tried apart from {@link unknownField}.
 */
export const DROPPED_FIELD_NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

/** A field name no DTO declares, including the ones a mass assignment would try. */
export const unknownField = (known: readonly string[]) =>
  fc
    .oneof(
      fc.constantFrom(
        'id',
        'createdAt',
        'updatedAt',
        'deletedAt',
        'tier',
        'tier_id',
        'isSuperuser',
      ),
      fc.constantFrom('NAME', 'name ', '', "'; DROP TABLE tiers; --", '$where', 'length'),
      fc.string({ unit: codeUnit, maxLength: 20 }),
    )
    .filter((key) => !known.includes(key) && !DROPPED_FIELD_NAMES.includes(key));

/** A JSON object from raw field values. */
export const rawJson = (fields: Record<string, string>) =>
  `{${Object.entries(fields)
    .map(([key, raw]) => `${JSON.stringify(key)}:${raw}`)
    .join(',')}}`;

/** A valid tier name without its unique suffix (which the spec appends). */
export const tierNameStem = fc
  .oneof(
    fc
      .string({ unit: codeUnit, minLength: 1, maxLength: 40 })
      .map((s) => s.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, 'x')),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
    fc.constantFrom("'; DROP TABLE tiers; --", '..', '.', '%2e%2e', 'a/b', '%', '?x', '#y', ' '),
  )
  .filter((stem) => stem.normalize('NFC').length <= 40 && valid.tierName(stem));

/** A valid description (or null). */
export const description = fc.option(
  fc
    .oneof(
      fc
        .string({ unit: codeUnit, maxLength: 500 })
        .map((s) => s.replaceAll('\u0000', 'x').replace(/[\p{Cs}\p{Bidi_Control}]/gu, 'x')),
      hostileString,
    )
    .filter((d) => valid.description(d)),
);

/** Path segments a valid rule path may hold: traversal, templates, unicode. */
const pathSegment = fc.oneof(
  fc.constantFrom('..', '.', '%2e%2e', '..\\', ':id', '{id}', 'a:b', '😀', 'é', "'--", '%00'),
  fc
    .string({ unit: codeUnit, minLength: 1, maxLength: 12 })
    .map((s) => s.replace(/[\s?#\p{Cc}\p{Cf}\p{Cs}]/gu, 'x')),
);

/** A valid rule path starting with a unique segment (so every run gets a fresh rule). */
export const rulePath = (unique: () => string) =>
  fc
    .array(pathSegment, { maxLength: 8 })
    .map((segments) => `/${[unique(), ...segments].join('/')}`)
    .filter((path) => valid.path(path));
