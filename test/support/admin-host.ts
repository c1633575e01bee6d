import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from 'nest-tier-rate-limit';
import {
  rateLimitEntities,
  rateLimitMigrations,
  RateLimitRulesModule,
} from 'nest-tier-rate-limit/rules';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';
import type { AdapterName } from './rate-limit-test-app.js';

/** A running host app of the package, on a fresh PostgreSQL database of its own. */
export interface AdminHost {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** What the host adds to the package's modules. */
export interface AdminHostOptions {
  /** The admin module as the host registers it: the class itself, or `forRoot(…)`. */
  admin: Type | DynamicModule;
  /** The host's own providers (its auth guard, say). */
  providers?: Provider[];
  /** Set-up before listening (global prefix, global pipes). */
  configure?: (app: INestApplication) => void;
  /** List `rateLimitEntities` instead of relying on `autoLoadEntities`. @default false */
  listEntities?: boolean;
}

/**
 * Starts a host app as the package's users write one: its own PostgreSQL database (the package's
 * schema migrations only), the rules, the limiter and the admin
 * module, on a free loopback port. No global pipe unless `configure` adds one.
 */
export async function startAdminHost(
  adapter: AdapterName,
  { admin, providers = [], configure, listEntities = false }: AdminHostOptions,
): Promise<AdminHost> {
  const database: TestDatabase = await createTestDatabase();
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: database.url,
        ...(listEntities ? { entities: rateLimitEntities } : { autoLoadEntities: true }),
        migrations: rateLimitMigrations,
        migrationsRun: true,
      }),
      RateLimitRulesModule.forRoot({}),
      RateLimitModule.forRoot({}),
      admin,
    ],
    providers,
  }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
