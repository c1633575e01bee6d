import type { IncomingMessage } from 'node:http';
import { addressIdentity, clientAddress, type ProxyTrust } from '../client-ip.js';
import type { RateLimitDecision } from '../rate-limit-decision.js';
import { refusalMessage } from '../rate-limit-exceeded.exception.js';

/** What the guard reads of a socket.io `Socket` or a `ws` `WebSocket`. */
export interface SocketClient {
  /** Where an app's own WebSocket auth commonly puts the user. */
  user?: unknown;
  /** socket.io: per-connection data (`socket.data.user`). */
  data?: { user?: unknown };
  /** socket.io: the handshake request; a `ws` app may keep it there in `handleConnection`. */
  request?: IncomingMessage;
  /** socket.io: the handshake, whose address outlives its request's socket. */
  handshake?: { address?: string; headers?: IncomingMessage['headers'] };
  /** `ws`: the TCP socket. */
  _socket?: { remoteAddress?: string };
}

/**
 * What `callerResolver` reads the caller from: the first of the client, its socket.io `data`
 * and its handshake request that has a `user`; else the client.
 */
export function socketCallerSource(client: SocketClient): object {
  if (client.user !== undefined) return client;
  if (client.data?.user !== undefined) return client.data;
  const request = client.request as { user?: unknown } | undefined;
  if (request?.user !== undefined) return request;
  return client;
}

/**
 * The address a connection counts under: its handshake's, with trusted proxies the nearest
 * untrusted `X-Forwarded-For` hop (socket.io keeps the handshake headers; `ws` only when the
 * app keeps the request as `client.request`), else the TCP peer's.
 */
export function socketAddress(client: SocketClient, trust: ProxyTrust, ipv6Subnet: number): string {
  const { handshake } = client;
  let address: string | undefined;
  if (handshake?.address !== undefined) {
    address =
      trust === undefined || handshake.headers === undefined
        ? handshake.address
        : clientAddress(
            { headers: handshake.headers, socket: { remoteAddress: handshake.address } } as never,
            trust,
          );
  } else if (client.request?.socket?.remoteAddress !== undefined) {
    address = clientAddress(client.request, trust);
  } else {
    address = client._socket?.remoteAddress;
  }
  return addressIdentity(address ?? 'unknown', ipv6Subnet);
}

/** The payload of a WebSocket refusal: the client's `exception` event carries it. */
export interface RateLimitedSocketError {
  status: 'error';
  code: 'RATE_LIMITED';
  message: string;
  /** Whole seconds until the message may be sent again. */
  retryAfter: number;
}

/** What a refused message's `WsException` carries. */
export function socketRefusal(decision: RateLimitDecision): RateLimitedSocketError {
  return {
    status: 'error',
    code: 'RATE_LIMITED',
    message: refusalMessage(decision),
    retryAfter: decision.retryAfterSeconds,
  };
}
