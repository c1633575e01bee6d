import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs (`CHROMIUM_PATH` to use another). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a closed network: without the background ones Chromium keeps calling Google's hosts,
 * refused here. No sandbox: CI runs as root.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
];

/** Headless Debian Chromium, with a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A page and everything that went wrong on it. */
export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and `console.error` lines but the browser's own for HTTP errors. */
  errors: string[];
  /** Requests to any origin but the app's own. */
  foreignRequests: string[];
}

/**
 * A new page of its own context (own `sessionStorage`) at a given size, recording uncaught
 * errors and any request that leaves `origin`.
 */
export async function watchedPage(
  browser: Browser,
  origin: string,
  viewport = { width: 1280, height: 900 },
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const watched: WatchedPage = { page, errors: [], foreignRequests: [] };
  page.on('pageerror', (error) => watched.errors.push(`pageerror: ${error.message}`));
  // Short waits: a missing element fails its test at once instead of at Jest's timeout.
  page.setDefaultTimeout(5_000);
  page.on('console', (message) => {
    // The browser logs every 4xx and 5xx the API answers, which the tests cause on purpose.
    const text = message.text();
    if (
      message.type() === 'error' &&
      !text.startsWith('Failed to load resource: the server responded')
    ) {
      watched.errors.push(`console: ${text}`);
    }
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) watched.foreignRequests.push(url);
  });
  return watched;
}

/** A folder for this run's screenshots, under the system's temporary folder. */
export function screenshotFolder(name: string): string {
  return mkdtempSync(join(tmpdir(), `${name}-`));
}

/** Saves a full-page screenshot as `{folder}/{name}.png`; answers its path. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
