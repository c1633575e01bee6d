import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { AuthModule } from './auth.module.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { LoginController } from './login.controller.js';
import { LOGIN_OPTIONS } from './login.options.js';

const SECRET = 'module-spec-secret-0123456789';
const registrations = [['forRoot', () => AuthModule.forRoot({ secret: SECRET })]] as const;

describe.each(registrations)('AuthModule.%s', (_name, register) => {
  it('registers JwtAuthGuard as the global guard', () => {
    expect(register().providers).toContainEqual({ provide: APP_GUARD, useClass: JwtAuthGuard });
  });

  it('provides a JwtService that signs HS256 with the secret', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [register()] }).compile();
    const token = await moduleRef.get(JwtService).signAsync({ sub: '1' });
    expect(jwt.verify(token, SECRET, { algorithms: ['HS256'], complete: true }).header.alg).toBe(
      'HS256',
    );
    await moduleRef.close();
  });
});

describe('AuthModule.forRoot and the login route', () => {
  const admin = { username: 'ops', password: 'correct horse' };

  it('has no login route without a demo admin, so POST /auth/login is a 404', () => {
    const module = AuthModule.forRoot({ secret: SECRET });
    expect(module.controllers).toEqual([]);
    expect(module.providers).not.toContainEqual(
      expect.objectContaining({ provide: LOGIN_OPTIONS }),
    );
  });

  it.each([
    [undefined, 3600],
    [600, 600],
  ])(
    'with a demo admin and maxTokenLifetime %p, logs in for %i s',
    (maxTokenLifetime, lifetime) => {
      const module = AuthModule.forRoot({ secret: SECRET, maxTokenLifetime, demoAdmin: admin });
      expect(module.controllers).toEqual([LoginController]);
      expect(module.providers).toContainEqual({
        provide: LOGIN_OPTIONS,
        useValue: { admin, tokenLifetime: lifetime },
      });
    },
  );
});
