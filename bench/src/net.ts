import { createConnection, createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Sends one text command to 127.0.0.1:`port` on a connection of its own and resolves with the
 * reply once it ends with `end`.
 */
export function exchange(port: number, command: string, end: string, timeoutMs = 5000) {
  return new Promise<string>((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${command} timed out`)));
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`${command}: connection closed early`)));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.endsWith(end)) return;
      resolve(reply);
      socket.destroy();
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
