import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import type { DemoAdmin } from './demo-admin.js';
import {
  JWT_AUTH_GUARD_OPTIONS,
  JwtAuthGuard,
  type JwtAuthGuardOptions,
} from './jwt-auth.guard.js';
import { LoginController } from './login.controller.js';
import { LOGIN_OPTIONS, type LoginOptions, loginTokenLifetime } from './login.options.js';

/** Options of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions extends JwtAuthGuardOptions {
  /** HS256 secret tokens are signed and verified with; see `resolveJwtSecret`. */
  secret: string;
  /**
   * The account `POST /auth/login` accepts (see `demoAdminFrom`).
   * @default undefined: no login route, so it answers 404 as any unknown route
   */
  demoAdmin?: DemoAdmin;
}

/**
 * The demo app's bearer-JWT auth: registers {@link JwtAuthGuard} as a global guard (sets
 * `request.user`, 401 on a bad token) and exports `JwtService`; with a `demoAdmin`, also the
 * login route that hands out superuser tokens. Admin writes are guarded by the admin module
 * itself, from the `isSuperuser` claim this guard puts on `request.user`.
 * @example AuthModule.forRoot({ secret, maxTokenLifetime: resolveMaxTokenLifetime(env) })
 */
@Module({})
export class AuthModule {
  /** Registers the auth with a known secret and, optionally, a longest token lifetime. */
  static forRoot({ secret, demoAdmin, ...guard }: AuthModuleOptions): DynamicModule {
    const jwt: JwtModuleOptions = {
      secret,
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    };
    const login = demoAdmin === undefined ? undefined : loginOptions(demoAdmin, guard);
    return {
      module: AuthModule,
      imports: [JwtModule.register(jwt)],
      controllers: login === undefined ? [] : [LoginController],
      providers: [
        { provide: JWT_AUTH_GUARD_OPTIONS, useValue: guard },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        ...(login === undefined ? [] : [{ provide: LOGIN_OPTIONS, useValue: login }]),
      ],
      exports: [JwtModule],
    };
  }
}

function loginOptions(admin: DemoAdmin, guard: JwtAuthGuardOptions): LoginOptions {
  return { admin, tokenLifetime: loginTokenLifetime(guard.maxTokenLifetime) };
}
