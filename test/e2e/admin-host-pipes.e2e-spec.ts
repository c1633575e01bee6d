import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from 'nest-tier-rate-limit';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { rateLimitMigrations, RateLimitRulesModule } from 'nest-tier-rate-limit/rules';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { adapters } from '../support/rate-limit-test-app.js';

// A host app whose own global ValidationPipe runs before the admin module's pipes (Nest runs
// global pipes first): the admin API's shape checks must still come first.

describe.each(adapters)('admin API under a host global ValidationPipe, on %s', (adapter) => {
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;

  const post = async (path: string, body: string) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
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
        RateLimitAdminModule.forRoot({ canWrite: () => true }),
      ],
    }).compile();
    app =
      adapter === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter({ bodyLimit: 1 << 20 }), {
            logger: false,
          })
        : moduleRef.createNestApplication({ logger: false, bodyParser: true });
    app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('refuses a body nested 20,000 levels deep with a 400, before the host pipe recurses', async () => {
    // Arrays: 40 KB, inside Express's default 100 KB body limit.
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const reply = await post('/tiers', `{"name":"deep","description":${deep}}`);
    expect(reply.status).toBe(400);
    expect(reply.body.message).toBe('request body is nested deeper than 32 levels');
  });

  it('refuses a prototype-named key, which the host pipe would drop silently', async () => {
    const reply = await post('/tiers', '{"name":"proto","constructor":{"x":1}}');
    expect(reply.status).toBe(400);
    expect(reply.body.message).toEqual(['property constructor should not exist']);
    const query = await fetch(`${url}/tiers?__proto__=1`);
    expect(query.status).toBe(400);
    await query.arrayBuffer();
  });

  it('still validates the values after the host pipe', async () => {
    const reply = await post('/tiers', '{"name":""}');
    expect(reply.status).toBe(400);
    expect(String(reply.body.message)).toMatch(/^name /);
  });
});
