import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { IsOptional } from 'class-validator';
import { IsWellFormedText } from '../dto-text.js';
import { IsFreeText, IsRecordName } from '../field-rules.js';
import { OptionalNonNull } from '../optional-non-null.js';

const NAME = { minLength: 1, maxLength: 50, example: 'pro' };
const DESCRIPTION = { maxLength: 500, nullable: true, example: 'Paying customers' };

/** A tier name, in NFC: 1–50 characters, none invisible (controls, bidi…), well-formed. */
const IsTierName = () => applyDecorators(IsRecordName(50), IsWellFormedText());
/** A description, in NFC: up to 500 characters, no NUL nor bidi controls, well-formed. */
const IsDescription = () => applyDecorators(IsFreeText(500), IsWellFormedText());

/** Body of `POST /tiers`. */
export class CreateTierDto {
  /** Unique among live tiers. */
  @ApiProperty(NAME)
  @IsTierName()
  name!: string;

  @ApiPropertyOptional(DESCRIPTION)
  @IsOptional()
  @IsDescription()
  description?: string | null;
}

/** Body of `PATCH /tiers/{name}`: any subset of the fields; `name` cannot be nulled. */
export class UpdateTierDto {
  @ApiPropertyOptional(NAME)
  @OptionalNonNull()
  @IsTierName()
  name?: string;

  @ApiPropertyOptional(DESCRIPTION)
  @IsOptional()
  @IsDescription()
  description?: string | null;
}

/** A tier as the API returns it. */
export class TierResponse {
  @ApiProperty({ example: 2 })
  id!: number;

  @ApiProperty(NAME)
  name!: string;

  @ApiProperty({ ...DESCRIPTION, type: String })
  description!: string | null;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;
}
