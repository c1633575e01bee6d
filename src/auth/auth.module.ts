import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import {
  JWT_AUTH_GUARD_OPTIONS,
  JwtAuthGuard,
  type JwtAuthGuardOptions,
} from './jwt-auth.guard.js';

/** Options of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions extends JwtAuthGuardOptions {
  /** HS256 secret tokens are signed and verified with; see `resolveJwtSecret`. */
  secret: string;
}

/**
 * The demo app's bearer-JWT auth: registers {@link JwtAuthGuard} as a global guard (sets
 * `request.user`, 401 on a bad token) and exports `JwtService`. Admin writes are guarded by
 * the admin module itself, from the `isSuperuser` claim this guard puts on `request.user`.
 * @example AuthModule.forRoot({ secret, maxTokenLifetime: resolveMaxTokenLifetime(env) })
 */
@Module({})
export class AuthModule {
  /** Registers the auth with a known secret and, optionally, a longest token lifetime. */
  static forRoot({ secret, ...guard }: AuthModuleOptions): DynamicModule {
    const jwt: JwtModuleOptions = {
      secret,
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    };
    return {
      module: AuthModule,
      imports: [JwtModule.register(jwt)],
      providers: [
        { provide: JWT_AUTH_GUARD_OPTIONS, useValue: guard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
      exports: [JwtModule],
    };
  }
}
