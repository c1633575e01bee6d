import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import { JwtAuthGuard } from './jwt-auth.guard.js';

/** Options of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions {
  /** HS256 secret tokens are signed and verified with; see `resolveJwtSecret`. */
  secret: string;
}

/**
 * The demo app's bearer-JWT auth: registers {@link JwtAuthGuard} as a global guard (sets
 * `request.user`, 401 on a bad token) and exports `JwtService`. Admin writes are guarded by
 * the admin module itself, from the `isSuperuser` claim this guard puts on `request.user`.
 * @example AuthModule.forRoot({ secret: resolveJwtSecret(env, (m) => logger.warn(m)) })
 */
@Module({})
export class AuthModule {
  /** Registers the auth with a known secret. */
  static forRoot({ secret }: AuthModuleOptions): DynamicModule {
    const jwt: JwtModuleOptions = {
      secret,
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    };
    return {
      module: AuthModule,
      imports: [JwtModule.register(jwt)],
      providers: [{ provide: APP_GUARD, useClass: JwtAuthGuard }],
      exports: [JwtModule],
    };
  }
}
