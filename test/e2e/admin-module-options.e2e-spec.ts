import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { type AdminHost, startAdminHost } from '../support/admin-host.js';
import { adapters } from '../support/rate-limit-test-app.js';

/** The host's own rule of who may write: a header its auth would have checked. */
async function canWrite(request: unknown): Promise<boolean> {
  await Promise.resolve();
  return (request as { headers: Record<string, string | undefined> }).headers['x-role'] === 'ops';
}

describe.each(adapters)('RateLimitAdminModule.forRoot on %s', (adapter) => {
  let host: AdminHost;
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
    host = await startAdminHost(adapter, {
      admin: RateLimitAdminModule.forRoot({ path: '/ops/', canWrite }),
      configure: (app) => app.setGlobalPrefix('api'),
    });
    url = host.url;
  });
  afterAll(async () => {
    await host.close();
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
