import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** The page's files: `admin-ui/` beside the package's `src/` and `dist/` alike. */
const FILES_DIR = new URL('../../../admin-ui/', import.meta.url);

/** The page itself; its placeholders are filled in by {@link renderAdminPage}. */
const PAGE = 'index.html';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** One file the page loads. */
export interface AdminUiAsset {
  contentType: string;
  body: Buffer;
}

/** The page's template and its assets by file name, read once. */
export interface AdminUiFiles {
  template: string;
  assets: ReadonlyMap<string, AdminUiAsset>;
}

/**
 * Reads the page and every script and style sheet beside it. Requests are answered from this map
 * only, so no request can name a file outside it.
 */
export function readAdminUiFiles(): AdminUiFiles {
  const assets = new Map<string, AdminUiAsset>();
  for (const name of readdirSync(FILES_DIR)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined) {
      assets.set(name, { contentType, body: readFileSync(new URL(name, FILES_DIR)) });
    }
  }
  return { template: readFileSync(new URL(PAGE, FILES_DIR), 'utf8'), assets };
}

/** What the page is told about where it runs. */
export interface AdminPageSettings {
  /** The admin API's base path, without a trailing slash (`/api/v1`; `''` at the root). */
  apiBase: string;
  /** Where the sign-in form posts `{ username, password }`; null: only a pasted token. */
  loginUrl: string | null;
  algorithms: readonly string[];
  modes: readonly string[];
  methods: readonly string[];
}

/** The page with its base path and settings in place, escaped for HTML. */
export function renderAdminPage(template: string, settings: AdminPageSettings): string {
  const base = `${settings.apiBase}/admin`;
  // JSON inside <script type="application/json">: only "<" could end the element early.
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  return template.replaceAll('{{base}}', escapeHtml(base)).replace('{{settings}}', () => json);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
