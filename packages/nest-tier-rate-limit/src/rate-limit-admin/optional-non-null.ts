import { ValidateIf } from 'class-validator';

/**
 * Skips validation only when the field is absent: unlike `@IsOptional()`, an explicit `null`
 * still goes through the field's validators (and fails them), so a PATCH cannot null a column.
 */
export function OptionalNonNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
