import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';

let app: INestApplication;
let url: string;

const get = (path: string, user?: string) =>
  fetch(`${url}${path}`, { headers: user === undefined ? {} : { 'x-user': user } });
const post = (path: string, body: unknown, user?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(user === undefined ? {} : { 'x-user': user }),
    },
    body: JSON.stringify(body),
  });

before(async () => {
  app = await NestFactory.create(AppModule, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});
after(async () => {
  await app.close();
});

// node:test runs each test as it is declared; `void` marks the returned promise as awaited by it.
void test('a guarded route counts down the module defaults', async () => {
  const response = await get('/items');
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-ratelimit-limit'), '100');
  assert.equal(response.headers.get('x-ratelimit-remaining'), '99');
});

void test('@RateLimited limits its route on Redis, and the third request is a 429', async () => {
  assert.equal((await get('/items/scarce')).status, 200);
  assert.equal((await get('/items/scarce')).status, 200);
  const refused = await get('/items/scarce');
  assert.equal(refused.status, 429);
  assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
});

void test('@SkipRateLimit exempts its route', async () => {
  const response = await get('/items/free');
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-ratelimit-limit'), null);
});

void test('the admin API under the host prefix: reads for anyone, writes by the host rule', async () => {
  assert.equal((await get('/admin/tiers')).status, 200);
  assert.equal((await post('/admin/tiers', { name: 'gold' }, 'u1:0')).status, 403);
  const bad = await post(
    '/admin/rate-limits',
    { tierId: 1, path: '/x', limit: -5, foo: 1 },
    'a:0:admin',
  );
  assert.equal(bad.status, 400);
  const tier = await post('/admin/tiers', { name: 'gold' }, 'a:0:admin');
  assert.equal(tier.status, 201);
  const { id } = (await tier.json()) as { id: number };
  const rule = { tierId: id, path: '/items', limit: 7, period: 60 };
  assert.equal((await post('/admin/rate-limits', rule, 'a:0:admin')).status, 201);
  // The write reloaded this instance's rules: the next request of a gold user sees the rule.
  const limited = await get('/items', `g1:${id}`);
  assert.equal(limited.headers.get('x-ratelimit-limit'), '7');
});

void test('the admin web page, served from the installed package with every module it imports', async () => {
  const page = await get('/admin/admin');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  assert.match(html, /src="\/admin\/admin\/assets\/admin\.js"/);
  const pending = ['admin.js', 'admin.css'];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const asset = await get(`/admin/admin/assets/${file}`);
    assert.equal(asset.status, 200, file);
    for (const [, target] of (await asset.text()).matchAll(/from '\.\/([\w-]+\.js)'/g)) {
      pending.push(target);
    }
  }
  assert.ok(seen.size > 5, `only ${[...seen].join(', ')}`);
});
