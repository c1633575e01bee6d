import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { type AdminHost, startAdminHost } from '../support/admin-host.js';
import {
  launchChromium,
  screenshot,
  screenshotFolder,
  watchedPage,
  type WatchedPage,
} from '../support/browser.js';
import { adapters } from '../support/rate-limit-test-app.js';

const OPS_TOKEN = 'ops-team-token';
const SHOTS = screenshotFolder('admin-page-host');
/** A phone's viewport: the page must fit it without sideways scrolling. */
const PHONE = { width: 375, height: 740 };

describe.each(adapters)('the admin web page in a host app, in Chromium, on %s', (adapter) => {
  let browser: Browser;
  let host: AdminHost;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    host = await startAdminHost(adapter, {
      // The host's own rule of who may write: its ops token, whatever the limiter's callers are.
      admin: RateLimitAdminModule.forRoot({
        path: 'ops',
        ui: true,
        canWrite: (request) =>
          (request as { headers: Record<string, string | undefined> }).headers.authorization ===
          `Bearer ${OPS_TOKEN}`,
      }),
      configure: (app: INestApplication) => app.setGlobalPrefix('internal'),
    });
    watched = await watchedPage(browser, host.url, PHONE);
    page = watched.page;
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  it('is served under the host’s prefix and the module’s path', async () => {
    const response = await page.goto(`${host.url}/internal/ops/admin`);
    expect(response?.status()).toBe(200);
    // No login URL given: only the pasted token.
    await expect(page.getByLabel('Username').count()).resolves.toBe(0);
    await page.getByLabel('Superuser bearer token').waitFor();
  });

  it('refuses an empty token, or one no header can carry, at its field', async () => {
    await page.getByRole('button', { name: 'Use token' }).click();
    await page
      .locator('[data-field="token"] .field-error', { hasText: 'token must not be empty' })
      .waitFor();
    await page.getByLabel('Superuser bearer token').fill('jeton-é');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page
      .locator('[data-field="token"] .field-error', { hasText: 'only printable ASCII' })
      .waitFor();
  });

  it('signs in with a pasted token and shows the empty state of a new database', async () => {
    // As copied from a terminal: the prefix, and a line break inside.
    await page
      .getByLabel('Superuser bearer token')
      .fill(`Bearer ${OPS_TOKEN.slice(0, 4)}\n${OPS_TOKEN.slice(4)}\n`);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText(/^No tiers yet/).waitFor();
    await expect(page.locator('#who').textContent()).resolves.toBe('Signed in with a token');
    await screenshot(page, SHOTS, `${adapter}-empty-phone`);
  });

  it('creates the first tier from the empty state, at phone width without sideways scrolling', async () => {
    await page.getByRole('button', { name: 'Create the first tier' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('ops');
    await page.getByRole('dialog').getByRole('button', { name: 'Create tier' }).click();
    await page.locator('tr[data-row="ops"]').waitFor();
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByText(/^No rules yet/).waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByRole('dialog').getByLabel('Path').fill('/internal/things');
    await page.getByRole('dialog').getByLabel('Limit').fill('10');
    await page.getByRole('dialog').getByLabel('Period (seconds)').fill('60');
    await page.getByRole('dialog').getByRole('button', { name: 'Create rule' }).click();
    await page.locator('tr[data-row="ops_internal_things"]').waitFor();
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, SHOTS, `${adapter}-rules-phone`);
  });

  it('sorts with a menu at phone width, where the headings are hidden', async () => {
    const write = { authorization: `Bearer ${OPS_TOKEN}`, 'content-type': 'application/json' };
    for (const name of ['alpha', 'zulu']) {
      const created = await fetch(`${host.url}/internal/ops/tiers`, {
        method: 'POST',
        headers: write,
        body: JSON.stringify({ name }),
      });
      expect(created.status).toBe(201);
    }
    await page.getByRole('link', { name: 'Tiers' }).click();
    await page.locator('tr[data-row="zulu"]').waitFor();
    const menu = page.getByLabel('Sort tiers by');
    await expect(menu.isVisible()).resolves.toBe(true);
    await menu.focus();
    await menu.selectOption('name:desc');
    await expect(page.locator('td[data-label="Name"]').allTextContents()).resolves.toEqual([
      'zulu',
      'ops',
      'alpha',
    ]);
    await expect(
      page.evaluate<string | null>("document.activeElement.getAttribute('data-focus')"),
    ).resolves.toBe('sort-menu');
  });

  it('serves only its own files', async () => {
    const missing = await fetch(`${host.url}/internal/ops/admin/assets/..%2Fpackage.json`);
    expect(missing.status).toBe(404);
    const script = await fetch(`${host.url}/internal/ops/admin/assets/admin.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('had no page error and fetched nothing from another host', () => {
    expect(watched.errors).toEqual([]);
    expect(watched.foreignRequests).toEqual([]);
  });
});
