import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /widgets`. */
export class CreateWidgetDto {
  /** Display name, 1–100 characters. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;
}
