import { applyDecorators } from '@nestjs/common';
import { IsOptional } from 'class-validator';
import { IsWellFormedText } from '../dto-text.js';
import { IsFreeText, IsRecordName } from '../field-rules.js';
import { OptionalNonNull } from '../optional-non-null.js';

/** Longest tier name accepted. */
export const MAX_TIER_NAME = 50;
/** Longest tier description accepted. */
export const MAX_TIER_DESCRIPTION = 500;

/** A tier name, in NFC: 1–50 characters, none invisible (controls, bidi…), well-formed. */
const IsTierName = () => applyDecorators(IsRecordName(MAX_TIER_NAME), IsWellFormedText());
/** A description, in NFC: up to 500 characters, no NUL nor bidi controls, well-formed. */
const IsDescription = () => applyDecorators(IsFreeText(MAX_TIER_DESCRIPTION), IsWellFormedText());

/** Body of `POST /tiers`. */
export class CreateTierDto {
  /** Unique among live tiers. */
  @IsTierName()
  name!: string;

  @IsOptional()
  @IsDescription()
  description?: string | null;
}

/** Body of `PATCH /tiers/{name}`: any subset of the fields; `name` cannot be nulled. */
export class UpdateTierDto {
  @OptionalNonNull()
  @IsTierName()
  name?: string;

  @IsOptional()
  @IsDescription()
  description?: string | null;
}

/** A tier as the API returns it. */
export class TierResponse {
  id!: number;
  name!: string;
  description!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
