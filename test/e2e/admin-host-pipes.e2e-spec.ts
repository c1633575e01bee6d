import { ValidationPipe } from '@nestjs/common';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { type AdminHost, startAdminHost } from '../support/admin-host.js';
import { adapters } from '../support/rate-limit-test-app.js';

// A host app whose own global ValidationPipe runs before the admin module's pipes (Nest runs
// global pipes first): the admin API's shape checks must still come first.

describe.each(adapters)('admin API under a host global ValidationPipe, on %s', (adapter) => {
  let host: AdminHost;
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
    host = await startAdminHost(adapter, {
      admin: RateLimitAdminModule.forRoot({ canWrite: () => true }),
      configure: (app) => app.useGlobalPipes(new ValidationPipe({ whitelist: true })),
    });
    url = host.url;
  });
  afterAll(async () => {
    await host.close();
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
