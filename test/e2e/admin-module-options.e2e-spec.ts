import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from 'nest-tier-rate-limit';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { rateLimitMigrations, RateLimitRulesModule } from 'nest-tier-rate-limit/rules';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** The host's own rule of who may write: a header its auth would have checked. */
async function canWrite(request: unknown): Promise<boolean> {
  await Promise.resolve();
  return (request as { headers: Record<string, string | undefined> }).headers['x-role'] === 'ops';
}

describe.each(adapters)('RateLimitAdminModule.forRoot on %s', (adapter) => {
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;

  const send = async (method: string, path: string, role?: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(role === undefined ? {} : { 'x-role': role }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { message?: unknown } };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: database.url,
          autoLoadEntities: true,
          migrations: rateLimitMigrations,
          migrationsRun: true,
        }),
        RateLimitRulesModule.forRoot({}),
        RateLimitModule.forRoot({}),
        RateLimitAdminModule.forRoot({ path: '/ops/', canWrite }),
      ],
    }).compile();
    app =
      adapter === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('api');
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('serves the admin routes under the given path, below the global prefix', async () => {
    expect((await send('GET', '/api/ops/tiers')).status).toBe(200);
    expect((await send('GET', '/api/ops/rate-limits')).status).toBe(200);
    expect((await send('GET', '/api/tiers')).status).toBe(404);
  });

  it("lets the host's canWrite decide who writes: false is a 403, true writes", async () => {
    const refused = await send('POST', '/api/ops/tiers', 'viewer', { name: 'gold' });
    expect(refused).toEqual({
      status: 403,
      body: expect.objectContaining({ message: 'Not allowed to change rate limits and tiers' }),
    });
    expect((await send('POST', '/api/ops/tiers', undefined, { name: 'gold' })).status).toBe(403);
    expect((await send('POST', '/api/ops/tiers', 'ops', { name: 'gold' })).status).toBe(201);
    expect((await send('DELETE', '/api/ops/tiers/gold', 'viewer')).status).toBe(403);
    expect((await send('GET', '/api/ops/tiers/gold')).status).toBe(200);
  });
});
