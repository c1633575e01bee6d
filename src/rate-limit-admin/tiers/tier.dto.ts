import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsFreeText, IsRecordName } from '../field-rules.js';
import { OptionalNonNull } from '../optional-non-null.js';

const NAME = { minLength: 1, maxLength: 50, example: 'pro' };
const DESCRIPTION = { maxLength: 500, nullable: true, example: 'Paying customers' };

/** Body of `POST /tiers`. */
export class CreateTierDto {
  /** Unique among live tiers. */
  @ApiProperty(NAME)
  @IsRecordName(50)
  name!: string;

  @ApiPropertyOptional(DESCRIPTION)
  @IsOptional()
  @IsFreeText(500)
  description?: string | null;
}

/** Body of `PATCH /tiers/{name}`: any subset of the fields; `name` cannot be nulled. */
export class UpdateTierDto {
  @ApiPropertyOptional(NAME)
  @OptionalNonNull()
  @IsRecordName(50)
  name?: string;

  @ApiPropertyOptional(DESCRIPTION)
  @IsOptional()
  @IsFreeText(500)
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
