import { connect, type Socket } from 'node:net';

/** An HTTP response read off a raw socket. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** A request the server is handling (its handler waits for the body) until {@link finish}. */
export interface HeldRequest {
  /** Sends the body and resolves with the response once the server closes the connection. */
  finish(): Promise<RawResponse>;
}

const CONTINUE = /^HTTP\/1\.1 100 Continue\r\n\r\n/;

/**
 * Sends a `POST` of JSON `body` to 127.0.0.1:`port` with `Expect: 100-continue` and resolves once
 * the server has answered `100 Continue`: Node's HTTP server does so when it hands the request to
 * the app, so from then on the request is in flight, waiting for its body.
 */
export async function holdRequest(port: number, path: string, body: unknown): Promise<HeldRequest> {
  const payload = JSON.stringify(body);
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const ended = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('end', resolve);
  });
  ended.catch(() => undefined);
  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(payload)}`,
      'Expect: 100-continue',
      'Connection: close',
      '',
      '',
    ].join('\r\n'),
  );
  await until(socket, () => CONTINUE.test(received), ended);
  return {
    finish: async () => {
      // Not end(): a half-closed request is aborted by Node's server before it answers.
      socket.write(payload);
      await ended;
      return parse(received.replace(CONTINUE, ''));
    },
  };
}

/** Resolves once `done()` holds after some data arrived; rejects if the socket ends first. */
function until(socket: Socket, done: () => boolean, ended: Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!done()) return;
      socket.off('data', check);
      resolve();
    };
    socket.on('data', check);
    ended.then(
      () => reject(new Error('The connection ended before the server took the request')),
      reject,
    );
  });
}

function parse(text: string): RawResponse {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

/**
 * Polls until a TCP connection to 127.0.0.1:`port` is refused, for at most `timeoutMs`;
 * resolves with the milliseconds it took. Connections that do open are closed at once.
 */
export async function refusedWithin(port: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    if (outcome === 'ECONNREFUSED') return performance.now() - started;
    if (performance.now() - started > timeoutMs) {
      throw new Error(`127.0.0.1:${port} still accepts connections after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
