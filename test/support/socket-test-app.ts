import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import {
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from '@nestjs/websockets';
import {
  RateLimited,
  RateLimitModule,
  type RateLimitModuleOptions,
  type RateLimitedSocketError,
  SkipRateLimit,
} from 'nest-tier-rate-limit';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

/** The gateway's class-level limit (per minute), which `events` and `other` each get. */
export const GATEWAY_LIMIT = 5;
/** The limit of the `strict` message's own `@RateLimited` (per 30 s). */
export const STRICT_LIMIT = 2;
/** Failed `login` attempts allowed a minute; successful ones use no quota. */
export const LOGIN_LIMIT = 2;

/** How many times each handler ran, by message name. */
class HandlerRuns {
  private readonly runs = new Map<string, number>();

  ran(message: string): void {
    this.runs.set(message, this.of(message) + 1);
  }

  of(message: string): number {
    return this.runs.get(message) ?? 0;
  }
}

/** What the gateway reads of a socket.io socket at connection. */
interface HandshakeSocket {
  handshake: { auth: { id?: unknown; tierId?: unknown } };
  data: { user?: unknown };
}

/**
 * socket.io messages limited at class level (5 a minute each), one with a limit of its own, one
 * where only failures count, and one skipped. Each acknowledges with the data it was sent.
 */
@WebSocketGateway()
@RateLimited({ limit: GATEWAY_LIMIT, period: 60 })
class EventsGateway implements OnGatewayConnection {
  readonly runs = new HandlerRuns();

  /** The app's own auth, in one line: the client's `auth: { id, tierId }` is the socket's user. */
  handleConnection(client: HandshakeSocket): void {
    const { id, tierId } = client.handshake.auth;
    if (id !== undefined) client.data.user = { id, tierId };
  }

  @SubscribeMessage('events')
  events(@MessageBody() data: unknown) {
    this.runs.ran('events');
    return { ok: true, data };
  }

  @SubscribeMessage('other')
  other(@MessageBody() data: unknown) {
    this.runs.ran('other');
    return { ok: true, data };
  }

  @SubscribeMessage('strict')
  @RateLimited({ limit: STRICT_LIMIT, period: 30 })
  strict(@MessageBody() data: unknown) {
    this.runs.ran('strict');
    return { ok: true, data };
  }

  /** Only failures count: `{ password: 'right' }` succeeds, anything else is a `WsException`. */
  @SubscribeMessage('login')
  @RateLimited({ limit: LOGIN_LIMIT, period: 60, count: 'failed' })
  login(@MessageBody() data: { password?: string }) {
    this.runs.ran('login');
    if (data.password !== 'right') throw new WsException('Wrong password');
    return { ok: true, data };
  }

  /** Two names a path would read as one (`chat/send` → `chat_send`): socket.io tells them apart. */
  @SubscribeMessage('chat/send')
  chatSlash(@MessageBody() data: unknown) {
    this.runs.ran('chat/send');
    return { ok: true, data };
  }

  @SubscribeMessage('chat_send')
  chatUnderscore(@MessageBody() data: unknown) {
    this.runs.ran('chat_send');
    return { ok: true, data };
  }

  @SubscribeMessage('free')
  @SkipRateLimit()
  free(@MessageBody() data: unknown) {
    this.runs.ran('free');
    return { ok: true, data };
  }
}

/** `events` in the `chat` namespace, beside the default namespace's: counted apart. */
@WebSocketGateway({ namespace: 'chat' })
@RateLimited({ limit: GATEWAY_LIMIT, period: 60 })
class ChatGateway {
  @SubscribeMessage('events')
  events(@MessageBody() data: unknown) {
    return { ok: true, data, namespace: 'chat' };
  }
}

/** The `events` message on plain WebSockets (`@nestjs/platform-ws`): it answers an `events` message. */
@WebSocketGateway()
@RateLimited({ limit: GATEWAY_LIMIT, period: 60 })
class WsEventsGateway {
  readonly runs = new HandlerRuns();

  @SubscribeMessage('events')
  events(@MessageBody() data: unknown) {
    this.runs.ran('events');
    return { event: 'events', data: { ok: true, data } };
  }
}

/** How a socket.io test client connects. */
export interface ConnectOptions {
  /** The handshake's `auth`: `{ id, tierId }` makes the socket a user's. */
  auth?: { id: string; tierId?: number };
  /** The namespace, without its `/`; unset: the default one. */
  namespace?: string;
  /** Extra handshake headers, such as `X-Forwarded-For`. */
  headers?: Record<string, string>;
}

/** A running app with a gateway, its clients closed with it. */
interface GatewayApp {
  app: INestApplication;
  /** `127.0.0.1:{port}`. */
  host: string;
  /** How many times the handler of `message` ran. */
  runs(message: string): number;
  /** Disconnects every client, then closes the app. */
  close(): Promise<void>;
}

/** An app whose gateway runs on socket.io (`IoAdapter`). */
export interface SocketTestApp extends GatewayApp {
  /** Connects a new client, resolving once connected; `close()` disconnects it. */
  connect(options?: ConnectOptions): Promise<Socket>;
}

/** An app whose gateway runs on plain WebSockets (`WsAdapter`). */
export interface WsTestApp extends GatewayApp {
  /** Connects a new client, resolving once open; `close()` closes it. */
  connect(): Promise<WebSocket>;
}

const CONNECT_TIMEOUT_MS = 5000;

/** Rejects after `ms` with `what` in the message, unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`No ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function startGateway(
  gateway: Type,
  adapter: (app: INestApplication) => IoAdapter | WsAdapter,
  options: RateLimitModuleOptions,
  others: Type[] = [],
): Promise<{ app: INestApplication; host: string; runs: HandlerRuns }> {
  const moduleRef = await Test.createTestingModule({
    imports: [RateLimitModule.forRoot({ keyPrefix: `ws-${randomUUID()}`, ...options })],
    providers: [gateway, ...others],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(adapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const { runs } = app.get<{ runs: HandlerRuns }>(gateway);
  return { app, host: `127.0.0.1:${port}`, runs };
}

/**
 * Starts an app with the socket.io gateway on a free loopback port (the HTTP server's), with the
 * given limiter options and a key prefix of its own.
 */
export async function startSocketApp(options: RateLimitModuleOptions = {}): Promise<SocketTestApp> {
  const { app, host, runs } = await startGateway(
    EventsGateway,
    (app) => new IoAdapter(app),
    options,
    [ChatGateway],
  );
  const clients = new Set<Socket>();
  return {
    app,
    host,
    runs: (message) => runs.of(message),
    async connect({ auth, headers, namespace = '' }: ConnectOptions = {}) {
      const socket = io(`http://${host}/${namespace}`, {
        transports: ['websocket'],
        auth,
        extraHeaders: headers,
        forceNew: true,
        reconnection: false,
      });
      clients.add(socket);
      const connected = new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      await within(connected, CONNECT_TIMEOUT_MS, 'socket.io connection');
      return socket;
    },
    async close() {
      for (const socket of clients) socket.disconnect();
      clients.clear();
      await app.close();
    },
  };
}

/** Starts an app with the plain WebSocket gateway (`WsAdapter`) on a free loopback port. */
export async function startWsApp(options: RateLimitModuleOptions = {}): Promise<WsTestApp> {
  const { app, host, runs } = await startGateway(
    WsEventsGateway,
    (app) => new WsAdapter(app),
    options,
  );
  const clients = new Set<WebSocket>();
  return {
    app,
    host,
    runs: (message) => runs.of(message),
    async connect() {
      const socket = new WebSocket(`ws://${host}`);
      clients.add(socket);
      await within(once(socket, 'open'), CONNECT_TIMEOUT_MS, 'WebSocket connection');
      return socket;
    },
    async close() {
      const closing = [...clients].map(async (socket) => {
        if (socket.readyState === WebSocket.CLOSED) return;
        const closed = once(socket, 'close');
        socket.close();
        await closed;
      });
      clients.clear();
      await Promise.all(closing);
      await app.close();
    },
  };
}

/** The acknowledgement of `message`, which a refusal never sends: rejects after `timeoutMs`. */
export function send(socket: Socket, message: string, data: unknown = {}, timeoutMs = 2000) {
  return socket.timeout(timeoutMs).emitWithAck(message, data) as Promise<{
    ok: boolean;
    data: unknown;
  }>;
}

/** The next `exception` event of `socket`, within `timeoutMs`. */
export function nextException(socket: Socket, timeoutMs = 2000): Promise<RateLimitedSocketError> {
  let listener: ((error: RateLimitedSocketError) => void) | undefined;
  const received = new Promise<RateLimitedSocketError>((resolve) => {
    listener = resolve;
    socket.once('exception', listener);
  });
  return within(received, timeoutMs, 'exception event').finally(() =>
    socket.off('exception', listener),
  );
}
