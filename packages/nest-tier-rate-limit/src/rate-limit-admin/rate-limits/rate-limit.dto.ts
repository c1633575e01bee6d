import { IsIn, IsString, Length, Matches, ValidateIf } from 'class-validator';
import {
  RATE_LIMIT_ALGORITHMS,
  type RateLimitAlgorithm,
} from '../../rate-limit/algorithms/rate-limit-algorithm.js';
import { applyDecorators } from '@nestjs/common';
import { RATE_LIMIT_MODES, type RateLimitMode } from '../../rate-limit/rate-limit-rule.js';
import { IsStoredPathWithin, IsWellFormedText, ToNfc } from '../dto-text.js';
import { IsIntBetween, IsRecordName, MAX_INT4 } from '../field-rules.js';
import { OptionalNonNull } from '../optional-non-null.js';
import { MAX_RULE_NAME_LENGTH } from './default-rule-name.js';

/** Longest period accepted, in seconds: a year. */
export const MAX_PERIOD = 31_536_000;
/** Largest limit accepted: keeps every counter within a 32-bit integer. */
export const MAX_LIMIT = 1_000_000_000;
/** Longest path a rule stores: the column's size. */
export const MAX_PATH = 255;

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

/** One of the counting algorithms. */
const IsAlgorithm = () =>
  IsIn(RATE_LIMIT_ALGORITHMS, {
    message: `algorithm must be one of ${RATE_LIMIT_ALGORITHMS.join(', ')}`,
  });

/** One of the rule modes. */
const IsMode = () =>
  IsIn(RATE_LIMIT_MODES, { message: `mode must be one of ${RATE_LIMIT_MODES.join(', ')}` });

/** A GCRA burst, or null for none (the limit); only with `gcra`, which the service checks. */
const IsBurst = () =>
  applyDecorators(
    ValidateIf((_object, value) => value !== undefined && value !== null),
    IsIntBetween(1, MAX_LIMIT),
  );

/** A rule name, in NFC: 1–100 characters, none invisible (controls, bidi…), well-formed. */
const IsRuleName = () => applyDecorators(IsRecordName(MAX_RULE_NAME_LENGTH), IsWellFormedText());

/** Body of `POST /rate-limits`. */
export class CreateRateLimitDto {
  /**
   * Unique among live rules. When absent: `{tier}_{path}`, or `{tier}_{path}_{period}s` when that
   * name is taken (another period of the path).
   */
  @OptionalNonNull()
  @IsRuleName()
  name?: string;

  @IsIntBetween(1, MAX_INT4)
  tierId!: number;

  /**
   * One live rule per tier, path and period; `*` alone is the tier's total budget across every
   * guarded route.
   */
  @IsRulePath()
  path!: string;

  @IsIntBetween(1, MAX_LIMIT)
  limit!: number;

  @IsIntBetween(1, MAX_PERIOD)
  period!: number;

  /** @default 'fixed-window' */
  @OptionalNonNull()
  @IsAlgorithm()
  algorithm?: RateLimitAlgorithm;

  /** `gcra` only; null or absent: the limit. */
  @IsBurst()
  burst?: number | null;

  /** `shadow` counts and reports but never refuses. @default 'enforce' */
  @OptionalNonNull()
  @IsMode()
  mode?: RateLimitMode;
}

/** Body of `PATCH /rate-limits/{name}`: any subset of the fields, none of them null but `burst`. */
export class UpdateRateLimitDto {
  @OptionalNonNull()
  @IsRuleName()
  name?: string;

  @OptionalNonNull()
  @IsIntBetween(1, MAX_INT4)
  tierId?: number;

  @OptionalNonNull()
  @IsRulePath()
  path?: string;

  @OptionalNonNull()
  @IsIntBetween(1, MAX_LIMIT)
  limit?: number;

  @OptionalNonNull()
  @IsIntBetween(1, MAX_PERIOD)
  period?: number;

  @OptionalNonNull()
  @IsAlgorithm()
  algorithm?: RateLimitAlgorithm;

  /** Null clears it (back to the limit), as leaving `gcra` requires. */
  @IsBurst()
  burst?: number | null;

  @OptionalNonNull()
  @IsMode()
  mode?: RateLimitMode;
}

/** A rule as the API returns it; `path` in its stored, sanitized form. */
export class RateLimitResponse {
  id!: number;
  name!: string;
  tierId!: number;
  path!: string;
  limit!: number;
  period!: number;
  algorithm!: RateLimitAlgorithm;
  /** Null: the limit (and for any algorithm but `gcra`). */
  burst!: number | null;
  mode!: RateLimitMode;
  createdAt!: Date;
  updatedAt!: Date;
}
