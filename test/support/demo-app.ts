import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { createApp, type CreateAppOptions } from '../../src/create-app.js';

/** The secret every demo app under test signs its tokens with. */
export const TEST_JWT_SECRET = 'e2e-secret-of-at-least-16-chars';

/** A running demo app and a small HTTP client for it. */
export interface RunningDemo {
  app: INestApplication;
  url: string;
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** A bearer token for the demo's auth, signed with {@link TEST_JWT_SECRET}. */
export function tokenFor(claims: {
  sub: string | number;
  tierId?: number;
  isSuperuser?: boolean;
}): string {
  return jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256' });
}

/**
 * Starts the demo app (as `main.ts` builds it) on a free loopback port: embedded in-memory
 * database unless the env says otherwise, silent logger.
 */
export async function startDemo(
  env: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<RunningDemo> {
  const { app } = await createApp(
    { NODE_ENV: 'test', PGLITE_DATA_DIR: 'memory://', JWT_SECRET: TEST_JWT_SECRET, ...env },
    { logger: false, ...options },
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    request: (method, path, { token, body } = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    close: () => app.close(),
  };
}
