import type { Browser, Locator, Page } from 'playwright-core';
import {
  launchChromium,
  screenshot,
  screenshotFolder,
  watchedPage,
  type WatchedPage,
} from '../support/browser.js';
import { type RunningDemo, startDemo, tokenFor } from '../support/demo-app.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { adapters } from '../support/rate-limit-test-app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const ADMIN = { username: 'operator', password: 'correct horse battery staple' };
const SHOTS = screenshotFolder('admin-page');

/** Polls `probe` every 50 ms until its answer passes `until`, for at most 5 s; the last answer. */
async function eventually<T>(probe: () => Promise<T>, until: (answer: T) => boolean): Promise<T> {
  const deadline = performance.now() + 5_000;
  let last = await probe();
  while (!until(last) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await probe();
  }
  return last;
}

describe.each(adapters)('the admin web page of the demo, in Chromium, on %s', (adapter) => {
  let browser: Browser;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let demo: RunningDemo;
  let watched: WatchedPage;
  let page: Page;
  const shot = (name: string) => screenshot(page, SHOTS, `${adapter}-${name}`);
  const dialog = () => page.getByRole('dialog');
  const row = (name: string) => page.locator(`tr[data-row="${name}"]`);
  const field = (form: Locator, name: string) => form.locator(`[data-field="${name}"]`);
  /** The page's status line, once it says `text`. */
  const status = (text: string | RegExp) => page.locator('#status', { hasText: text });
  /** Waits until a cell of the row reads exactly `text`. */
  const cellReads = (rowName: string, column: string, text: string) =>
    row(rowName).locator(`td[data-label="${column}"]`).getByText(text, { exact: true }).waitFor();
  const limitHeader = async (token: string) =>
    (await demo.request('GET', '/api/v1/widgets', { token })).headers.get('x-ratelimit-limit');

  beforeAll(async () => {
    browser = await launchChromium();
    database = await createTestDatabase();
    const server = new URL(database.url);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    server.port = String(proxy.port);
    demo = await startDemo(
      {
        DATABASE_URL: server.href,
        DEMO_ADMIN_USERNAME: ADMIN.username,
        DEMO_ADMIN_PASSWORD: ADMIN.password,
      },
      { adapter },
    );
    watched = await watchedPage(browser, demo.url);
    page = watched.page;
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('is served at /admin, from the app alone, with a policy that allows nothing else', async () => {
    const response = await page.goto(`${demo.url}/admin`);
    expect(page.url()).toBe(`${demo.url}/api/v1/admin`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await shot('sign-in');
  });

  it('signs in with the demo login, after a wrong password shown as such', async () => {
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('hunter2');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^Wrong username or password\.$/ })
      .waitFor();
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tiers' }).waitFor();
    await row('free').waitFor();
    await expect(page.locator('#who').textContent()).resolves.toBe(
      `Signed in as ${ADMIN.username} (superuser)`,
    );
    const stored = await page.evaluate<string[]>('Object.keys(sessionStorage)');
    expect(stored).toEqual(['rate-limit-admin.token']);
    await expect(page.context().cookies()).resolves.toEqual([]);
  });

  it('creates a tier', async () => {
    await page.getByRole('button', { name: 'New tier' }).click();
    await dialog().getByLabel('Name').fill(`browser-${adapter}`);
    await dialog().getByLabel('Description').fill('Made in Chromium');
    await dialog().getByRole('button', { name: 'Create tier' }).click();
    await row(`browser-${adapter}`).waitFor();
    await expect(dialog().count()).resolves.toBe(0);
    await status(`Tier "browser-${adapter}" created.`).waitFor();
    await shot('tiers');
  });

  let tierId: number;
  let caller: string;
  it('edits only what was changed: a tier’s description, not its name with its spaces', async () => {
    const superuser = tokenFor({ sub: 'ops', isSuperuser: true });
    const spaced = `spaced ${adapter} `;
    const created = await demo.request('POST', '/api/v1/tiers', {
      token: superuser,
      body: { name: spaced },
    });
    expect(created.status).toBe(201);
    await page.reload();
    await page.getByRole('button', { name: `Edit tier ${spaced}` }).click();
    await dialog().getByLabel('Description').fill('Only this changes');
    await dialog().getByRole('button', { name: 'Save tier' }).click();
    await cellReads(spaced, 'Description', 'Only this changes');
    const stored = await demo.request('GET', `/api/v1/tiers/${encodeURIComponent(spaced)}`);
    await expect(stored.json()).resolves.toMatchObject({ name: spaced });
  });

  it('creates a rule, after showing the API’s validation error at its field', async () => {
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = dialog();
    await form.getByLabel('Tier').selectOption({ label: `browser-${adapter}` });
    await form.getByLabel('Path').fill('/api/v1/widgets');
    await form.getByLabel('Limit').fill('0');
    await form.getByLabel('Period (seconds)').fill('60');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const error = field(form, 'limit').locator('.field-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/^limit must /);
    await expect(form.getByLabel('Limit').getAttribute('aria-invalid')).resolves.toBe('true');
    const focused = page.evaluate<string | null>("document.activeElement.getAttribute('name')");
    await expect(focused).resolves.toBe('limit');
    await expect(field(form, 'period').locator('.field-error').isVisible()).resolves.toBe(false);
    await shot('rule-validation-error');

    await form.getByLabel('Limit').fill('7');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const name = `browser-${adapter}_api_v1_widgets`;
    await row(name).waitFor();
    tierId = Number(
      await page
        .locator('#rules-tier-filter option', { hasText: `browser-${adapter}` })
        .getAttribute('value'),
    );
    caller = `browser-user-${adapter}`;
    await expect(limitHeader(tokenFor({ sub: caller, tierId }))).resolves.toBe('7');
  });

  it('edits the rule, and the guarded route’s X-RateLimit-Limit follows', async () => {
    const name = `browser-${adapter}_api_v1_widgets`;
    await page.getByRole('button', { name: `Edit rule ${name}` }).click();
    await dialog().getByLabel('Limit').fill('3');
    await dialog().getByLabel('Algorithm').selectOption('gcra');
    await dialog().getByLabel('Burst').fill('2');
    await dialog().getByRole('button', { name: 'Save rule' }).click();
    await cellReads(name, 'Limit', '3');
    await cellReads(name, 'Burst', '2');
    const token = tokenFor({ sub: caller, tierId });
    await expect(
      eventually(
        () => limitHeader(token),
        (limit) => limit === '3',
      ),
    ).resolves.toBe('3');
    await shot('rules');
  });

  it('sorts the rules by a column from the keyboard', async () => {
    await page.getByLabel('Show tier').selectOption('');
    const sortByLimit = page.getByRole('button', { name: 'Limit', exact: true });
    await sortByLimit.focus();
    await page.keyboard.press('Enter');
    const heading = page.locator('th[data-key="limit"]');
    await expect(heading.getAttribute('aria-sort')).resolves.toBe('ascending');
    await page.keyboard.press('Enter');
    await expect(heading.getAttribute('aria-sort')).resolves.toBe('descending');
    const limits = await page.locator('td[data-label="Limit"]').allTextContents();
    expect(limits.map(Number)).toEqual([...limits.map(Number)].sort((a, b) => b - a));
  });

  it('looks up the policies of a path for a tier', async () => {
    await page.getByRole('link', { name: 'Policy lookup' }).click();
    await page.getByLabel('Request path').fill('/api/v1/widgets');
    await page.getByLabel('Caller’s tier').selectOption({ label: `browser-${adapter}` });
    await page.getByRole('button', { name: 'Look up' }).click();
    const policy = row(`api_v1_widgets60`);
    await policy.waitFor();
    await expect(policy.locator('td[data-label="Policy"]').textContent()).resolves.toBe(
      `browser-${adapter}_api_v1_widgets`,
    );
    await expect(policy.locator('td[data-label="Limit"]').textContent()).resolves.toBe('3');
    await shot('lookup');
  });

  it('reads a caller’s live counters, and resets them after asking', async () => {
    const token = tokenFor({ sub: caller, tierId });
    expect((await demo.request('GET', '/api/v1/widgets', { token })).status).toBe(200);
    await page.getByRole('link', { name: 'Counters' }).click();
    await page.getByLabel('Caller', { exact: true }).fill(`user:${caller}`);
    await page.getByLabel('Request path').fill('/api/v1/widgets');
    await page.getByLabel('Caller’s tier').selectOption({ label: `browser-${adapter}` });
    await page.getByRole('button', { name: 'Read counters' }).click();
    const used = page.locator('td[data-label="Used"]');
    await used.first().waitFor();
    const before = Number(await used.first().textContent());
    expect(before).toBeGreaterThan(0);
    await shot('counters');
    await page.getByRole('button', { name: 'Reset counters' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    // Read again from the store: cancelled, nothing was reset.
    const shown = await used.first().elementHandle();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await shown?.waitForElementState('hidden'); // replaced by the new reading
    await expect(used.first().textContent()).resolves.toBe(String(before));
    await page.getByRole('button', { name: 'Reset counters' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Reset counters' }).click();
    await status(/^Reset \d counters? of /).waitFor();
    await used.first().getByText('0', { exact: true }).waitFor();
    const next = await demo.request('GET', '/api/v1/widgets', { token });
    expect(next.headers.get('x-ratelimit-remaining')).toBe('1');
  });

  it('explains why a tier with rules cannot be deleted, then deletes the rule and the tier', async () => {
    const tier = `browser-${adapter}`;
    const rule = `${tier}_api_v1_widgets`;
    await page.getByRole('link', { name: 'Tiers' }).click();
    await page.getByRole('button', { name: `Delete tier ${tier}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete tier' }).click();
    const alert = page.locator('.view-alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain(`is used by live rate limits: ${rule}`);
    await shot('tier-conflict');

    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: `Delete rule ${rule}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete rule' }).click();
    await row(rule).waitFor({ state: 'detached' });
    const token = tokenFor({ sub: caller, tierId });
    const limit = await eventually(
      () => limitHeader(token),
      (value) => value !== '3',
    );
    expect(limit).not.toBe('3');

    await page.getByRole('link', { name: 'Tiers' }).click();
    await page.getByRole('button', { name: `Delete tier ${tier}` }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete tier' }).click();
    await row(tier).waitFor({ state: 'detached' });
  });

  it('shows an error state while the database is down, and recovers with Retry', async () => {
    await proxy.cut();
    try {
      await page.reload();
      const state = page.locator('.error-state');
      await state.waitFor();
      await expect(state.textContent()).resolves.toContain('(503)');
      await shot('database-down');
    } finally {
      await proxy.restore();
    }
    await page.getByRole('button', { name: 'Retry' }).click();
    await row('free').waitFor();
  });

  it('signs out: the token is gone and the sign-in is back', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(page.evaluate<number>('sessionStorage.length')).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Tiers' }).isVisible()).resolves.toBe(false);
  });

  it('signs the tab out when the API refuses its token', async () => {
    await page.getByLabel('Superuser bearer token').fill('not-a-token-this-app-signed');
    await page.getByRole('button', { name: 'Use token' }).click();
    await status('The API refused the token (401): sign in again.').waitFor();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(page.evaluate<number>('sessionStorage.length')).resolves.toBe(0);
  });

  it('had no page error and fetched nothing from another host', () => {
    expect(watched.errors).toEqual([]);
    expect(watched.foreignRequests).toEqual([]);
  });
});
