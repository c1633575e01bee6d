import jwt from 'jsonwebtoken';
import { type RunningDemo, startDemo, TEST_JWT_SECRET } from './demo-app.js';
import type { AdapterName } from './rate-limit-test-app.js';

/** A token with `claims` (subject `admin-e2e`), signed with `secret` (the app's by default). */
export const sign = (claims: object, secret = TEST_JWT_SECRET, options: jwt.SignOptions = {}) =>
  jwt.sign({ sub: 'admin-e2e', ...claims }, secret, { algorithm: 'HS256', ...options });

/** A superuser's token, and an ordinary member's. */
export const SUPERUSER = sign({ isSuperuser: true });
export const MEMBER = sign({ tierId: 2 });

/** What the admin API answers: a record, a page of records, or an error. */
export type AdminBody<T> = Partial<T> & {
  message?: string | string[];
  data?: T[];
  totalCount?: number;
  hasMore?: boolean;
  page?: number;
  itemsPerPage?: number;
};

/** A status and its parsed JSON body. */
export interface AdminReply<T> {
  status: number;
  body: AdminBody<T>;
}

/** Every line of an error message (class-validator answers an array). */
export const messages = (body: AdminBody<unknown>) => [body.message ?? []].flat();

/** A 400 whose every message line is about `field` (`limit must …`, `property x should not …`). */
export function expectInvalid({ status, body }: AdminReply<unknown>, field: string): void {
  expect(status).toBe(400);
  expect(messages(body).length).toBeGreaterThan(0);
  for (const line of messages(body)) expect(line).toMatch(new RegExp(`^(property )?${field} `));
}

/** A JSON client of the demo's admin API under `/api/v1`; writes default to the superuser. */
export interface AdminClient<T> {
  /** Starts the demo app (embedded in-memory database); for `beforeAll`. */
  start(): Promise<void>;
  /** Stops it; for `afterAll`. */
  close(): Promise<void>;
  /** The app's base URL, once started. */
  url(): string;
  call(method: string, path: string, body?: unknown, token?: string): Promise<AdminReply<T>>;
  get(path: string): Promise<AdminReply<T>>;
  post(path: string, body: unknown, token?: string): Promise<AdminReply<T>>;
  patch(path: string, body: unknown, token?: string): Promise<AdminReply<T>>;
  del(path: string, token?: string): Promise<AdminReply<T>>;
}

/** A client of a demo app on `adapter`, to be started in `beforeAll` and closed in `afterAll`. */
export function adminClient<T>(adapter: AdapterName): AdminClient<T> {
  let demo: RunningDemo | undefined;
  const running = () => demo ?? fail('the admin client is not started');
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await running().request(method, `/api/v1${path}`, { token, body });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as AdminBody<T> };
  };
  return {
    start: async () => {
      demo = await startDemo({}, { adapter });
    },
    close: async () => {
      await demo?.close();
      demo = undefined;
    },
    url: () => running().url,
    call,
    get: (path) => call('GET', path),
    post: (path, body, token = SUPERUSER) => call('POST', path, body, token),
    patch: (path, body, token = SUPERUSER) => call('PATCH', path, body, token),
    del: (path, token = SUPERUSER) => call('DELETE', path, undefined, token),
  };
}

function fail(message: string): never {
  throw new Error(message);
}
