import { APP_GUARD } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { AuthModule } from './auth.module.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';

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
