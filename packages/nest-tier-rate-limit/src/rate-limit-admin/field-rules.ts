import { applyDecorators } from '@nestjs/common';
import { IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsWithoutBidiControls, IsWithoutInvisibleCharacters, ToNfc } from './dto-text.js';

/** Largest value of a PostgreSQL `integer` column (ids). */
export const MAX_INT4 = 2_147_483_647;

/**
 * A record name, in NFC: 1–`max` characters once normalized, none of them invisible (controls,
 * bidi controls, zero-width and other format characters, line separators), so that one name has
 * one spelling and hides nothing.
 */
export function IsRecordName(max: number): PropertyDecorator {
  return applyDecorators(ToNfc(), IsString(), Length(1, max), IsWithoutInvisibleCharacters());
}

/**
 * Free text, in NFC: up to `max` characters once normalized, without NUL (PostgreSQL text cannot
 * hold it) or bidi controls (they would make the admin output read otherwise than stored).
 */
export function IsFreeText(max: number): PropertyDecorator {
  return applyDecorators(
    ToNfc(),
    IsString(),
    MaxLength(max),
    // eslint-disable-next-line no-control-regex -- matching NUL is the point
    Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' }),
    IsWithoutBidiControls(),
  );
}

/** An integer from `min` to `max`. */
export function IsIntBetween(min: number, max: number): PropertyDecorator {
  return applyDecorators(IsInt(), Min(min), Max(max));
}
