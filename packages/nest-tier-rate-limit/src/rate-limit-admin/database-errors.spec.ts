import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { EntityNotFoundError, QueryFailedError, TypeORMError } from 'typeorm';
import { isDatabaseUnavailable } from './database-errors.js';

// The errors below are made by the real `pg` driver against loopback sockets, no PostgreSQL
// server needed; the server's own errors (SQLSTATEs) are produced against the real PostgreSQL in
// test/database/database-errors.int-spec.ts.

/** A loopback server that treats every connection with `onConnection`. */
async function serve(onConnection: (socket: Socket) => void): Promise<Server & { port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

/** What connecting a pool to `port` fails with (TypeORM passes it on as is). */
async function connectError(port: number, options: pg.PoolConfig = {}): Promise<unknown> {
  const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'nobody', ...options });
  pool.on('error', () => undefined);
  const error = await pool.connect().then(
    (client) => client.release(),
    (caught: unknown) => caught,
  );
  await pool.end();
  return error;
}

describe('isDatabaseUnavailable', () => {
  it('is true for a refused connection (ECONNREFUSED)', async () => {
    const server = await serve(() => undefined);
    await close(server);
    const error = await connectError(server.port);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('is true for a connection the server hangs up on', async () => {
    const server = await serve((socket) => socket.destroy());
    const error = await connectError(server.port);
    await close(server);
    expect(error).toMatchObject({ message: 'Connection terminated unexpectedly' });
    expect(isDatabaseUnavailable(error)).toBe(true);
    // A query on a broken connection comes wrapped by TypeORM: the same answer.
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT 1', [], error as Error))).toBe(true);
  });

  it('is true for a connection that timed out', async () => {
    const silent = new Set<Socket>();
    const server = await serve((socket) => silent.add(socket));
    const error = await connectError(server.port, { connectionTimeoutMillis: 50 });
    for (const socket of silent) socket.destroy();
    await close(server);
    expect(error).toMatchObject({ message: 'Connection terminated due to connection timeout' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a plain error', new Error('boom')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a TypeORM error', new TypeORMError('Driver not Connected')],
    ['an entity not found', new EntityNotFoundError('Tier', { name: 'x' })],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
    ['an object with a socket code', { code: 'ECONNREFUSED' }],
  ])('is false for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
