/**
 * The admin API as the page calls it: JSON in and out, the bearer token on every call, and every
 * outcome (network failure included) as a result, never a throw.
 */

/**
 * @typedef {object} ApiResult
 * @property {number} status 0 when the API could not be reached
 * @property {boolean} ok
 * @property {any} body the parsed JSON, or `{ message }` when there was none
 * @property {number | null} retryAfter seconds from `Retry-After`, when sent
 */

export class AdminApi {
  /**
   * @param {string} base the API's base path, without a trailing slash
   * @param {() => string | null} token the bearer token, read at each call
   * @param {() => void} refused called when the API answers 401: the token is no good
   */
  constructor(base, token, refused) {
    this.base = base;
    this.token = token;
    this.refused = refused;
  }

  /**
   * A call of the admin API.
   * @param {string} method
   * @param {string} path from the base: `/tiers`, `/rate-limits/free_api`
   * @param {{ query?: Record<string, string | number | undefined>, body?: unknown }} [options]
   * @returns {Promise<ApiResult>}
   */
  async call(method, path, options = {}) {
    const result = await this.request(method, `${this.base}${path}`, options);
    if (result.status === 401) this.refused();
    return result;
  }

  /**
   * A call of any path on this origin.
   * @param {string} method
   * @param {string} url a path from the root
   * @param {{ query?: Record<string, string | number | undefined>, body?: unknown, token?: boolean }} [options]
   * @returns {Promise<ApiResult>}
   */
  async request(method, url, { query, body, token = true } = {}) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') search.set(name, String(value));
    }
    const headers = { accept: 'application/json' };
    const bearer = token ? this.token() : null;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const target = search.size === 0 ? url : `${url}?${search}`;
    let response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      return {
        status: 0,
        ok: false,
        body: { message: 'The admin API cannot be reached' },
        retryAfter: null,
      };
    }
    const text = await response.text();
    let parsed;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    const retry = Number(response.headers.get('retry-after'));
    return {
      status: response.status,
      ok: response.ok,
      body: parsed,
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
    };
  }

  /**
   * Every item of a paginated list, 100 at a time (the API's largest page).
   * @param {string} path
   * @returns {Promise<{ ok: true, items: any[] } | { ok: false, result: ApiResult }>}
   */
  async all(path) {
    const items = [];
    for (let page = 1; ; page += 1) {
      const result = await this.call('GET', path, { query: { page, itemsPerPage: 100 } });
      if (!result.ok) return { ok: false, result };
      items.push(...result.body.data);
      if (!result.body.hasMore || result.body.data.length === 0) return { ok: true, items };
    }
  }
}

/**
 * The API's messages, one per line: a 400's list, or the one message.
 * @param {ApiResult} result
 * @returns {string[]}
 */
export function messagesOf(result) {
  const message = result.body?.message;
  if (Array.isArray(message)) return message.map(String);
  if (typeof message === 'string' && message !== '') return [message];
  return [`The admin API answered ${result.status}`];
}

/**
 * A sentence for a failure that is no one field's: what happened and what to do.
 * @param {ApiResult} result
 */
export function describeFailure(result) {
  const text = messagesOf(result).join('; ');
  const retry = result.retryAfter === null ? '' : ` Retry in ${result.retryAfter} s.`;
  if (result.status === 0) return `${text}: check that the app is running.`;
  if (result.status === 503) return `${text} (503).${retry}`;
  if (result.status === 401) return `${text} (401): sign in again.`;
  if (result.status === 403) return `${text} (403): this token may not do that.`;
  if (result.status === 429) return `${text} (429).${retry}`;
  return `${text} (${result.status}).`;
}
