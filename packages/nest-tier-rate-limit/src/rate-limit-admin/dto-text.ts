import { Transform } from 'class-transformer';
import { Matches, ValidateBy } from 'class-validator';
import { sanitizeRouteTemplate } from '../rate-limit/index.js';

/**
 * Characters no one can see in a name: controls, format characters (bidi controls, zero-width
 * joiners and spaces, soft hyphen, tags) and the line and paragraph separators.
 */
export const INVISIBLE_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): they reorder the text
 * around them when shown, so what an operator reads is not what is stored.
 */
export const BIDI_CONTROL = /\p{Bidi_Control}/u;

/**
 * Puts a string in Unicode NFC before it is validated and stored, so that `"é"` (U+00E9) and
 * `"e\u0301"` are one value; anything else passes unchanged (and fails its type check).
 */
export function ToNfc(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.normalize('NFC') : value,
  );
}

/**
 * Refuses a string holding a lone UTF-16 surrogate (`"\ud800"` in JSON). The database would store
 * U+FFFD in its place: the record would differ from what was accepted, and two distinct names
 * would clash as one.
 */
export function IsWellFormedText(): PropertyDecorator {
  return Matches(/^\P{Cs}*$/u, {
    message: '$property must be well-formed Unicode (no lone surrogates)',
  });
}

/** Refuses a string holding a bidi control ({@link BIDI_CONTROL}). */
export function IsWithoutBidiControls(): PropertyDecorator {
  return refusing('isWithoutBidiControls', BIDI_CONTROL, 'bidi control characters (U+202E…)');
}

/** Refuses a string holding a character no one can see ({@link INVISIBLE_CHARACTER}). */
export function IsWithoutInvisibleCharacters(): PropertyDecorator {
  return refusing(
    'isWithoutInvisibleCharacters',
    INVISIBLE_CHARACTER,
    'control, format or bidi characters (they cannot be seen)',
  );
}

/** A validator failing a string where `pattern` matches: `$property must not contain {what}`. */
function refusing(name: string, pattern: RegExp, what: string): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !pattern.test(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must not contain ${what}`,
    },
  });
}

/**
 * Refuses a rule path longer than `max` once stored: each `:param` is stored as `{param}`, one
 * character longer, so a path within the column's size may still outgrow it.
 */
export function IsStoredPathWithin(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isStoredPathWithin',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' || sanitizeRouteTemplate(value).length <= max,
      defaultMessage: () =>
        `path must be at most ${max} characters once stored (":param" is stored as "{param}")`,
    },
  });
}
