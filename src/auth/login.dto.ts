import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';

/** Body of `POST /auth/login`. */
export class LoginDto {
  /** `DEMO_ADMIN_USERNAME`. */
  @ApiProperty({ example: 'admin' })
  @IsString()
  @IsNotEmpty()
  username!: string;

  /** `DEMO_ADMIN_PASSWORD`. */
  @ApiProperty({ format: 'password' })
  @IsString()
  @IsNotEmpty()
  password!: string;
}

/** Answer of a successful `POST /auth/login`. */
export class LoginResponse {
  /** A superuser bearer token (HS256), for `Authorization: Bearer …`. */
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.signature' })
  accessToken!: string;
}
