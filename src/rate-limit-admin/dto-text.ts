import { Matches, ValidateBy } from 'class-validator';
import { sanitizeRouteTemplate } from '../rate-limit/index.js';

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
