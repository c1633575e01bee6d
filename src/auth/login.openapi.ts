import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { LoginResponse } from './login.dto.js';

/** The OpenAPI description of `POST /auth/login`. */
export const DocumentLogin = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Log in as the demo admin',
      description:
        'Checks the body against DEMO_ADMIN_USERNAME / DEMO_ADMIN_PASSWORD and answers a ' +
        'superuser token. Off (404) unless both are set. Per client IP, 5 failed attempts per ' +
        '300 s; successful logins use no quota.',
    }),
    ApiOkResponse({ type: LoginResponse, description: 'A superuser bearer token' }),
    ApiBadRequestResponse({ description: 'A field is missing, empty or not a string (named)' }),
    ApiUnauthorizedResponse({ description: 'Wrong username or password (not saying which)' }),
    ApiTooManyRequestsResponse({ description: 'Too many failed attempts from this IP' }),
  );
