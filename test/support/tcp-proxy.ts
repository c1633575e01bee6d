import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './throwaway-server.js';

/**
 * A loopback TCP proxy in front of a server, for tests that take the server away from an app
 * without touching the server itself (it may be shared).
 */
export interface TcpProxy {
  /** The loopback port to use instead of the server's; kept across `cut()` and `restore()`. */
  readonly port: number;
  /** Closes every proxied connection and refuses new ones (`ECONNREFUSED`), as a dead host would. */
  cut(): Promise<void>;
  /**
   * Stops forwarding in both directions and holds new connections unanswered, as a frozen server
   * would: nothing is lost, and `restore()` delivers what waited.
   */
  hang(): void;
  /** Accepts and forwards again, on the same port. */
  restore(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

/** One proxied connection: the app's side and the server's. */
interface Link {
  client: Socket;
  upstream?: Socket;
}

/** Starts a {@link TcpProxy} to `target` on a free loopback port. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const links = new Set<Link>();
  let server: Server | undefined;
  let hung = false;

  const connect = (link: Link) => {
    const upstream = createConnection(target);
    link.upstream = upstream;
    upstream.on('error', () => undefined);
    // One side closing closes the other, as it would without the proxy in between.
    upstream.on('close', () => link.client.destroy());
    link.client.pipe(upstream).pipe(link.client);
  };
  const accept = (client: Socket) => {
    const link: Link = { client };
    links.add(link);
    client.on('error', () => undefined);
    client.on('close', () => {
      links.delete(link);
      link.upstream?.destroy();
    });
    if (hung) client.pause();
    else connect(link);
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const listening = createServer(accept);
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        server = listening;
        resolve();
      });
    });
  const cut = async () => {
    const closing = server;
    server = undefined;
    hung = false;
    for (const link of links) link.client.destroy();
    if (closing !== undefined) await new Promise((resolve) => closing.close(resolve));
  };

  await listen();
  return {
    port,
    cut,
    hang: () => {
      hung = true;
      for (const { client, upstream } of links) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    },
    restore: async () => {
      if (hung) {
        hung = false;
        for (const link of links) {
          if (link.upstream === undefined) connect(link);
          else link.client.pipe(link.upstream).pipe(link.client);
        }
      }
      if (server === undefined) await listen();
    },
    close: cut,
  };
}
