import { type AdminBody, expectInvalid, SUPERUSER } from './admin-client.js';
import { type RunningDemo, startDemo } from './demo-app.js';
import { closeRawConnections, type RawReply, rawRequest } from './raw-http.js';

/** A record as the admin API answers it: enough to address it again. */
export interface AdminRecord {
  id: number;
  name: string;
}

/** A raw reply in the shape `expectInvalid` takes. */
export const asAdminReply = ({ status, json }: RawReply) => ({
  status,
  body: (json ?? {}) as AdminBody<unknown>,
});

/** `text` escaped for a RegExp: `expectInvalid` builds one from the field name. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A superuser's client of the demo's admin API (Express, embedded in-memory database) that sends
 * bodies as raw text, so that malformed JSON, `-0` or `1e400` reach the server as written and
 * paths are not normalized. Start it in `beforeAll`, close it in `afterAll`.
 */
export function rawAdminClient() {
  let demo: RunningDemo | undefined;
  const url = () => {
    if (demo === undefined) throw new Error('the raw admin client is not started');
    return demo.url;
  };
  const send = (method: string, path: string, body?: string | Buffer, type = 'application/json') =>
    rawRequest(url(), method, `/api/v1${path}`, {
      body,
      headers: {
        authorization: `Bearer ${SUPERUSER}`,
        ...(body === undefined ? {} : { 'content-type': type }),
      },
    });
  /** Live records of `resource` (`tiers`, `rate-limits`). */
  const count = async (resource: string) =>
    ((await send('GET', `/${resource}?itemsPerPage=1`)).json as { totalCount: number }).totalCount;

  return {
    start: async () => {
      demo = await startDemo({}, { adapter: 'express' });
    },
    close: async () => {
      closeRawConnections();
      await demo?.close();
      demo = undefined;
    },
    send,
    count,
    /** Creates a record (expecting a 201) and answers it. */
    async create(resource: string, body: object): Promise<AdminRecord> {
      const created = await send('POST', `/${resource}`, JSON.stringify(body));
      expect(created.status).toBe(201);
      return created.json as AdminRecord;
    },
    /** A 400 whose every message line names `field`, and `resource` still `before` records. */
    async expectRefused(reply: RawReply, field: string, resource: string, before: number) {
      expect(reply.status).not.toBe(500);
      expectInvalid(asAdminReply(reply), escapeRegExp(field));
      expect(await count(resource)).toBe(before);
    },
  };
}
