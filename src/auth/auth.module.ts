import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule, type JwtModuleOptions } from '@nestjs/jwt';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { SuperuserGuard } from './superuser.guard.js';

/** Options of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions {
  /** HS256 secret tokens are signed and verified with; see `resolveJwtSecret`. */
  secret: string;
}

/** Options of {@link AuthModule.forRootAsync}. */
export interface AuthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Builds the options from the injected dependencies. */
  useFactory: (...args: never[]) => AuthModuleOptions | Promise<AuthModuleOptions>;
  /** Dependencies passed to `useFactory`. */
  inject?: FactoryProvider['inject'];
}

/**
 * The demo app's bearer-JWT auth: registers {@link JwtAuthGuard} as a global guard (sets
 * `request.user`, 401 on a bad token) and exports {@link SuperuserGuard} and `JwtService`.
 * @example AuthModule.forRoot({ secret: resolveJwtSecret(env, (m) => logger.warn(m)) })
 */
@Module({})
export class AuthModule {
  /** Registers the auth with a known secret. */
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return AuthModule.withJwt(JwtModule.register(jwtOptions(options)));
  }

  /** Registers the auth with a secret built by a factory (e.g. from `ConfigService`). */
  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    const jwt = JwtModule.registerAsync({
      imports: options.imports,
      inject: options.inject,
      useFactory: async (...args: unknown[]) =>
        jwtOptions(await options.useFactory(...(args as never[]))),
    });
    return AuthModule.withJwt(jwt);
  }

  private static withJwt(jwt: DynamicModule): DynamicModule {
    return {
      module: AuthModule,
      imports: [jwt],
      providers: [SuperuserGuard, { provide: APP_GUARD, useClass: JwtAuthGuard }],
      exports: [JwtModule, SuperuserGuard],
    };
  }
}

function jwtOptions({ secret }: AuthModuleOptions): JwtModuleOptions {
  return { secret, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } };
}
