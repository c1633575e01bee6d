import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type INestApplication,
  UseGuards,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitGuard, RateLimitModule, type RateLimitModuleOptions } from 'nest-tier-rate-limit';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import {
  RateLimitRuleCache,
  rateLimitMigrations,
  RateLimitRulesModule,
} from 'nest-tier-rate-limit/rules';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';
import type { AdapterName } from './rate-limit-test-app.js';

@Controller('limited')
@UseGuards(RateLimitGuard)
class LimitedController {
  @Get()
  get() {
    return { ok: true };
  }
}

/** The host's auth: `x-test-user: id:tierId` becomes `request.user`. */
@Injectable()
class HeaderUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    const [id, tierId] = request.headers['x-test-user']?.split(':') ?? [];
    if (id !== undefined) request.user = { id, tierId: Number(tierId) };
    return true;
  }
}

/** One running instance of a host app: rules, limiter, admin API (anyone may write). */
export interface RuleHost {
  app: INestApplication;
  url: string;
  /** `GET /limited` as caller `id` of tier `tierId`. */
  limited(id: string, tierId: number): Promise<Response>;
  /** An admin API call with a JSON body; resolves with the status and parsed body. */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** Instances of one host app sharing a fresh PostgreSQL database. */
export interface RuleHosts {
  hosts: RuleHost[];
  /** Closes every instance, then drops the database. */
  close(): Promise<void>;
}

/** What every instance of the app is started with. */
export interface RuleHostsOptions {
  count: number;
  /** The limiter's options (store, key prefix…); the rule cache is added as its resolver. */
  limiter: RateLimitModuleOptions;
  refreshIntervalMs: number;
}

/**
 * Starts `count` instances of a host app as the README has users write one (the rule cache given
 * to `RateLimitModule.forRootAsync` as its resolver), one after another on one new database: the
 * first applies the migrations, the others find none pending.
 */
export async function startRuleHosts(
  adapter: AdapterName,
  { count, limiter, refreshIntervalMs }: RuleHostsOptions,
): Promise<RuleHosts> {
  const database = await createTestDatabase();
  const hosts: RuleHost[] = [];
  const apps: INestApplication[] = [];
  const close = async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database.drop();
  };
  try {
    for (let i = 0; i < count; i += 1) {
      const app = await createHost(adapter, database, limiter, refreshIntervalMs);
      apps.push(app);
      await app.listen(0, '127.0.0.1');
      hosts.push(hostAt(app, (await app.getUrl()).replace('[::1]', '127.0.0.1')));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { hosts, close };
}

async function createHost(
  adapter: AdapterName,
  database: TestDatabase,
  limiter: RateLimitModuleOptions,
  refreshIntervalMs: number,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: database.url,
        autoLoadEntities: true,
        migrations: rateLimitMigrations,
        migrationsRun: true,
      }),
      RateLimitRulesModule.forRoot({ refreshIntervalMs }),
      RateLimitModule.forRootAsync({
        inject: [RateLimitRuleCache],
        useFactory: (rules: RateLimitRuleCache) => ({ ...limiter, ruleResolver: rules }),
      }),
      RateLimitAdminModule.forRoot({ canWrite: () => true }),
    ],
    controllers: [LimitedController],
    providers: [{ provide: APP_GUARD, useClass: HeaderUserGuard }],
  }).compile();
  return adapter === 'fastify'
    ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
    : moduleRef.createNestApplication({ logger: false });
}

function hostAt(app: INestApplication, url: string): RuleHost {
  return {
    app,
    url,
    limited: (id, tierId) =>
      fetch(`${url}/limited`, { headers: { 'x-test-user': `${id}:${tierId}` } }),
    call: async (method, path, body) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
    },
  };
}
