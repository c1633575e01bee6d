import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiTags } from '@nestjs/swagger';
import { RateLimited } from 'nest-tier-rate-limit';
import { isDemoAdmin } from './demo-admin.js';
import { LoginDto, LoginResponse } from './login.dto.js';
import { DocumentLogin } from './login.openapi.js';
import { LOGIN_OPTIONS, type LoginOptions } from './login.options.js';

/** The login route below the API's prefix, as the admin web page's sign-in form posts to it. */
export const LOGIN_PATH = 'auth/login';

/**
 * `POST /auth/login`: the demo admin's credentials for a superuser token (`sub` = the username,
 * `isSuperuser: true`, no tier). Registered by `AuthModule` only when the account is configured.
 */
@ApiTags('auth')
@Controller('auth')
export class LoginController {
  constructor(
    private readonly jwt: JwtService,
    @Inject(LOGIN_OPTIONS) private readonly options: LoginOptions,
  ) {}

  /** 200 with a token for the right pair, 401 otherwise; only failures use the IP's quota. */
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @RateLimited({ limit: 5, period: 300, count: 'failed' })
  @DocumentLogin()
  async login(@Body() { username, password }: LoginDto): Promise<LoginResponse> {
    const { admin, tokenLifetime } = this.options;
    if (!isDemoAdmin(admin, username, password)) {
      throw new UnauthorizedException('Invalid username or password');
    }
    const claims = { sub: admin.username, isSuperuser: true };
    return { accessToken: await this.jwt.signAsync(claims, { expiresIn: tokenLifetime }) };
  }
}
