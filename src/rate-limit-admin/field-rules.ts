import { applyDecorators } from '@nestjs/common';
import { IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';

/** Largest value of a PostgreSQL `integer` column (ids). */
export const MAX_INT4 = 2_147_483_647;

/** A record name: 1–`max` characters, no control characters (they cannot be typed or stored). */
export function IsRecordName(max: number): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, max),
    Matches(/^[^\p{Cc}]+$/u, { message: '$property must not contain control characters' }),
  );
}

/** Free text up to `max` characters, without NUL (PostgreSQL text cannot hold it). */
export function IsFreeText(max: number): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(max),
    // eslint-disable-next-line no-control-regex -- matching NUL is the point
    Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' }),
  );
}

/** An integer from `min` to `max`. */
export function IsIntBetween(min: number, max: number): PropertyDecorator {
  return applyDecorators(IsInt(), Min(min), Max(max));
}
