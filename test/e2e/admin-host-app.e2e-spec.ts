import {
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  Injectable,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { RateLimit } from 'nest-tier-rate-limit/rules';
import { type AdminHost, startAdminHost } from '../support/admin-host.js';
import { adapters } from '../support/rate-limit-test-app.js';

// A host app as the package's users write one: its own auth, no global pipe, the schema
// migration only. The admin API must validate its input on its own.

/** The host's auth: `x-admin: yes` makes the request a superuser's. */
@Injectable()
class HeaderAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    if (request.headers['x-admin'] === 'yes') request.user = { id: 'admin', isSuperuser: true };
    return true;
  }
}

interface Reply {
  status: number;
  body: { id?: number; message?: string | string[]; totalCount?: number };
}

describe.each(adapters)('admin API in a host app without a global pipe, on %s', (adapter) => {
  let host: AdminHost | undefined;
  let app: INestApplication;
  let url: string;
  let tierId: number;

  const call = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        'x-admin': 'yes',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Reply['body'] };
  };
  const storedRules = () =>
    app.get(DataSource).getRepository(RateLimit).count({ withDeleted: true });
  const lines = (reply: Reply) => [reply.body.message ?? []].flat().join('\n');

  beforeAll(async () => {
    host = await startAdminHost(adapter, {
      admin: RateLimitAdminModule,
      providers: [{ provide: APP_GUARD, useClass: HeaderAuthGuard }],
      listEntities: true,
    });
    ({ app, url } = host);
    const tier = await call('POST', '/tiers', { name: 'host' });
    expect(tier.status).toBe(201);
    tierId = tier.body.id!;
  });
  afterAll(async () => {
    await host?.close();
  });

  it('serves GET /rate-limits with the default page', async () => {
    const reply = await call('GET', '/rate-limits');
    expect(reply).toMatchObject({ status: 200, body: { page: 1, itemsPerPage: 10 } });
  });

  it('refuses a bad query value with a 400', async () => {
    const reply = await call('GET', '/tiers?page=abc');
    expect(reply.status).toBe(400);
    expect(lines(reply)).toMatch(/^page /m);
  });

  it('refuses an invalid limit and an unknown field with a 400, storing nothing', async () => {
    const before = await storedRules();
    const reply = await call('POST', '/rate-limits', {
      tierId,
      path: '/x',
      limit: -5,
      period: 60,
      foo: 1,
    });
    expect(reply.status).toBe(400);
    expect(lines(reply)).toMatch(/^limit /m);
    expect(lines(reply)).toMatch(/^property foo should not exist$/m);
    expect(await storedRules()).toBe(before);
  });

  it.each(['/rate-limits?__proto__=1', '/tiers?constructor=1'])(
    'refuses a prototype-named query key: %s',
    async (path) => {
      const reply = await call('GET', path);
      expect(reply.status).toBe(400);
      expect(lines(reply)).toMatch(/^property (__proto__|constructor) should not exist$/);
    },
  );

  it('refuses a body nested past the depth limit with a 400', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = { deep };
    const reply = await call('POST', '/tiers', { name: 'deep', description: deep });
    expect(reply.status).toBe(400);
    expect(lines(reply)).toMatch(/nested deeper than/);
  });

  it('stores a valid rule in NFC, and finds it by either spelling of its name', async () => {
    const created = await call('POST', '/rate-limits', {
      name: 'caf\u0065\u0301',
      tierId,
      path: '/y',
      limit: 5,
      period: 60,
    });
    expect(created).toMatchObject({ status: 201, body: { name: 'caf\u00e9', limit: 5 } });
    const found = await call('GET', `/rate-limits/${encodeURIComponent('caf\u0065\u0301')}`);
    expect(found).toMatchObject({ status: 200, body: { id: created.body.id } });
  });
});
