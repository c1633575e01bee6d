import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { IsStoredPathWithin, IsWellFormedText, ToNfc } from '../dto-text.js';
import { IsIntBetween, IsRecordName, MAX_INT4 } from '../field-rules.js';
import { OptionalNonNull } from '../optional-non-null.js';

/** Longest period accepted: a year. */
const MAX_PERIOD = 31_536_000;
/** Largest limit accepted: keeps every counter within a 32-bit integer. */
const MAX_LIMIT = 1_000_000_000;

const NAME = { minLength: 1, maxLength: 100, example: 'pro_widgets_create' };
const TIER_ID = { minimum: 1, maximum: MAX_INT4, example: 2 };
const PATH = {
  maxLength: 255,
  example: '/api/v1/widgets/{id}',
  description: 'As `/api/v1/x`, `api_v1_x` or a template (`/api/v1/x/{id}`, `/api/v1/x/:id`)',
};
const LIMIT = { minimum: 1, maximum: MAX_LIMIT, example: 100 };
const PERIOD = { minimum: 1, maximum: MAX_PERIOD, example: 60, description: 'Seconds' };

/** Longest path a rule stores: the column's size. */
const MAX_PATH = 255;

/**
 * A URL path, in NFC, without spaces, control or format characters, query or fragment; up to 255
 * characters. A rule created without a name is named after its path: the path must be fit for one.
 */
const IsRulePath = () =>
  applyDecorators(
    ToNfc(),
    IsString(),
    Length(1, MAX_PATH),
    Matches(/^[^\s?#\p{Cc}\p{Cf}]+$/u, {
      message: 'path must be a URL path without spaces, invisible characters, query or fragment',
    }),
    IsWellFormedText(),
    IsStoredPathWithin(MAX_PATH),
  );

/** A rule name, in NFC: 1–100 characters, none invisible (controls, bidi…), well-formed. */
const IsRuleName = () => applyDecorators(IsRecordName(100), IsWellFormedText());

/** Body of `POST /rate-limits`. */
export class CreateRateLimitDto {
  /** Unique among live rules; generated from the tier and path when absent. */
  @ApiPropertyOptional(NAME)
  @OptionalNonNull()
  @IsRuleName()
  name?: string;

  @ApiProperty(TIER_ID)
  @IsIntBetween(1, MAX_INT4)
  tierId!: number;

  @ApiProperty(PATH)
  @IsRulePath()
  path!: string;

  @ApiProperty(LIMIT)
  @IsIntBetween(1, MAX_LIMIT)
  limit!: number;

  @ApiProperty(PERIOD)
  @IsIntBetween(1, MAX_PERIOD)
  period!: number;
}

/** Body of `PATCH /rate-limits/{name}`: any subset of the fields, none of them null. */
export class UpdateRateLimitDto {
  @ApiPropertyOptional(NAME)
  @OptionalNonNull()
  @IsRuleName()
  name?: string;

  @ApiPropertyOptional(TIER_ID)
  @OptionalNonNull()
  @IsIntBetween(1, MAX_INT4)
  tierId?: number;

  @ApiPropertyOptional(PATH)
  @OptionalNonNull()
  @IsRulePath()
  path?: string;

  @ApiPropertyOptional(LIMIT)
  @OptionalNonNull()
  @IsIntBetween(1, MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional(PERIOD)
  @OptionalNonNull()
  @IsIntBetween(1, MAX_PERIOD)
  period?: number;
}

/** A rule as the API returns it; `path` in its stored, sanitized form. */
export class RateLimitResponse {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty(NAME)
  name!: string;

  @ApiProperty(TIER_ID)
  tierId!: number;

  @ApiProperty({ example: 'api_v1_widgets_{id}' })
  path!: string;

  @ApiProperty(LIMIT)
  limit!: number;

  @ApiProperty(PERIOD)
  period!: number;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;
}
