import { once } from 'node:events';
import {
  RateLimitRuleResolver,
  type RateLimitModuleOptions,
  type RateLimitRuleContext,
  type RateLimitedSocketError,
} from 'nest-tier-rate-limit';
import { RuleTable } from 'nest-tier-rate-limit/rules';
import type { Socket } from 'socket.io-client';
import type WebSocket from 'ws';
import { startRedisServer, type ThrowawayRedis } from '../support/redis-server.js';
import {
  GATEWAY_LIMIT,
  LOGIN_LIMIT,
  nextException,
  send,
  type SocketTestApp,
  startSocketApp,
  startWsApp,
  STRICT_LIMIT,
  within,
  type WsTestApp,
} from '../support/socket-test-app.js';

/** Checks a refusal's payload: exactly its four fields, its wait whole seconds in 1..`period`. */
function expectRefusal(error: RateLimitedSocketError, period: number): void {
  expect(error).toEqual({
    status: 'error',
    code: 'RATE_LIMITED',
    message: expect.stringMatching(/^Rate limit exceeded\. Try again in \d+ seconds\.$/) as string,
    retryAfter: expect.any(Number) as number,
  });
  expect(Number.isInteger(error.retryAfter)).toBe(true);
  expect(error.retryAfter).toBeGreaterThanOrEqual(1);
  expect(error.retryAfter).toBeLessThanOrEqual(period);
  expect(error.message).toBe(`Rate limit exceeded. Try again in ${error.retryAfter} seconds.`);
}

/** Sends `count` messages one after the other, each awaiting its acknowledgement. */
async function acked(socket: Socket, message: string, count: number): Promise<unknown[]> {
  const answers: unknown[] = [];
  for (let i = 0; i < count; i += 1) answers.push(await send(socket, message, { i }));
  return answers;
}

/** Sends one message without an acknowledgement and resolves with the refusal it gets. */
function refused(socket: Socket, message: string): Promise<RateLimitedSocketError> {
  const exception = nextException(socket);
  socket.emit(message, {});
  return exception;
}

/**
 * Sends `count` messages at once, spread over `sockets` in turn, and waits (bounded) until each
 * was acknowledged or refused: how many were acknowledged, and the codes of the refusals.
 */
async function burst(
  sockets: Socket[],
  message: string,
  count: number,
): Promise<{ acks: number; codes: string[] }> {
  let acks = 0;
  const codes: string[] = [];
  let answered!: () => void;
  const all = new Promise<void>((resolve) => (answered = resolve));
  const settle = () => {
    if (acks + codes.length >= count) answered();
  };
  const onException = (error: RateLimitedSocketError) => {
    codes.push(error.code);
    settle();
  };
  for (const socket of sockets) socket.on('exception', onException);
  try {
    for (let i = 0; i < count; i += 1)
      sockets[i % sockets.length].emit(message, { i }, () => {
        acks += 1;
        settle();
      });
    await within(all, 10_000, `answers to ${count} messages`);
  } finally {
    for (const socket of sockets) socket.off('exception', onException);
  }
  return { acks, codes };
}

/** Tier rules as the rules module serves them, from a fixed table: tier 1 gets 3 `events`. */
class FixedRules extends RateLimitRuleResolver {
  private readonly table = new RuleTable([{ tierId: 1, path: 'events', limit: 3, period: 60 }]);

  resolve(context: RateLimitRuleContext) {
    return this.table.resolve(context);
  }
}

describe('WebSocket gateways on socket.io', () => {
  let t: SocketTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('acknowledges the limit, then refuses with the exception event; the handler never runs', async () => {
    t = await startSocketApp();
    const socket = await t.connect();
    const answers = await acked(socket, 'events', GATEWAY_LIMIT);
    expect(answers).toEqual(
      Array.from({ length: GATEWAY_LIMIT }, (_, i) => ({ ok: true, data: { i } })),
    );
    const exception = nextException(socket);
    const ack = send(socket, 'events', { i: GATEWAY_LIMIT }, 500).then(
      () => 'acknowledged',
      () => 'no acknowledgement',
    );
    expectRefusal(await exception, 60);
    expect(await ack).toBe('no acknowledgement');
    expect(t.runs('events')).toBe(GATEWAY_LIMIT);
  });

  it('counts each message apart, a method limit over the class one, and never a skipped one', async () => {
    t = await startSocketApp();
    const socket = await t.connect();
    await acked(socket, 'events', GATEWAY_LIMIT);
    expectRefusal(await refused(socket, 'events'), 60);
    // `other` has the class's limit too, on a counter of its own.
    expect(await acked(socket, 'other', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    expectRefusal(await refused(socket, 'other'), 60);
    // `strict` has its own, lower limit and shorter period.
    expect(await acked(socket, 'strict', STRICT_LIMIT)).toHaveLength(STRICT_LIMIT);
    expectRefusal(await refused(socket, 'strict'), 30);
    // `@SkipRateLimit()`: never refused, however many.
    expect(await acked(socket, 'free', 3 * GATEWAY_LIMIT)).toHaveLength(3 * GATEWAY_LIMIT);
    // Names that differ only where a URL path would not (`/` and `_`) are two counters.
    await acked(socket, 'chat_send', GATEWAY_LIMIT);
    expectRefusal(await refused(socket, 'chat_send'), 60);
    expect(await acked(socket, 'chat/send', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    expect([t.runs('events'), t.runs('other'), t.runs('strict'), t.runs('free')]).toEqual([
      GATEWAY_LIMIT,
      GATEWAY_LIMIT,
      STRICT_LIMIT,
      3 * GATEWAY_LIMIT,
    ]);
  });

  it('counts a message in another namespace apart, and never per namespace a client picks', async () => {
    t = await startSocketApp();
    const socket = await t.connect();
    await acked(socket, 'events', GATEWAY_LIMIT);
    expectRefusal(await refused(socket, 'events'), 60);
    const chat = await t.connect({ namespace: 'chat' });
    const answers = await acked(chat, 'events', GATEWAY_LIMIT);
    expect(answers[0]).toEqual({ ok: true, data: { i: 0 }, namespace: 'chat' });
    expectRefusal(await refused(chat, 'events'), 60);
    // A namespace no gateway serves is refused by socket.io: no fresh counter there.
    await expect(t.connect({ namespace: 'chat2' })).rejects.toThrow('Invalid namespace');
  });

  it("count: 'failed': successes use no quota, failures do, then every attempt is refused", async () => {
    t = await startSocketApp();
    const socket = await t.connect();
    const right = { password: 'right' };
    for (let i = 0; i < 2 * LOGIN_LIMIT; i += 1)
      expect(await send(socket, 'login', right)).toEqual({ ok: true, data: right });
    for (let i = 0; i < LOGIN_LIMIT; i += 1) {
      const failure = nextException(socket);
      socket.emit('login', { password: 'wrong' });
      expect(await failure).toEqual({
        status: 'error',
        message: 'Wrong password',
        cause: { pattern: 'login', data: { password: 'wrong' } },
      });
    }
    expectRefusal(await refused(socket, 'login'), 60);
    // The guard refuses before the handler runs: even the right password waits.
    const exception = nextException(socket);
    socket.emit('login', right);
    expectRefusal(await exception, 60);
    expect(t.runs('login')).toBe(3 * LOGIN_LIMIT);
  });

  it('keeps the count across a reconnection from the same address', async () => {
    t = await startSocketApp();
    const first = await t.connect();
    await acked(first, 'events', GATEWAY_LIMIT);
    first.disconnect();
    const second = await t.connect();
    expectRefusal(await refused(second, 'events'), 60);
    expect(t.runs('events')).toBe(GATEWAY_LIMIT);
  });

  it("counts per user: each user its own quota, apart from anonymous clients', across reconnections", async () => {
    t = await startSocketApp();
    const alice = await t.connect({ auth: { id: 'alice' } });
    const bob = await t.connect({ auth: { id: 'bob' } });
    const anonymous = await t.connect();
    await acked(alice, 'events', GATEWAY_LIMIT);
    expectRefusal(await refused(alice, 'events'), 60);
    // Same address, another user: a full quota.
    expect(await acked(bob, 'events', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    expectRefusal(await refused(bob, 'events'), 60);
    // The address alone has counted nothing of the users' messages.
    expect(await acked(anonymous, 'events', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    expectRefusal(await refused(anonymous, 'events'), 60);
    // A user's count follows the user to a new connection.
    alice.disconnect();
    const aliceAgain = await t.connect({ auth: { id: 'alice' } });
    expectRefusal(await refused(aliceAgain, 'events'), 60);
  });

  it('applies a tier rule on the message name instead of the decorator limit', async () => {
    t = await startSocketApp({ ruleResolver: new FixedRules() });
    const tierOne = await t.connect({ auth: { id: 'u1', tierId: 1 } });
    const tierTwo = await t.connect({ auth: { id: 'u2', tierId: 2 } });
    expect(await acked(tierOne, 'events', 3)).toHaveLength(3);
    expectRefusal(await refused(tierOne, 'events'), 60);
    // The rule is on `events` alone: `other` keeps the class's limit for tier 1.
    expect(await acked(tierOne, 'other', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    expectRefusal(await refused(tierOne, 'other'), 60);
    // A tier without rules gets the decorator's limit.
    expect(await acked(tierTwo, 'events', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    expectRefusal(await refused(tierTwo, 'events'), 60);
  });

  it("with trusted proxies, counts each client by the handshake's X-Forwarded-For", async () => {
    t = await startSocketApp({ trustProxy: 'loopback' });
    const forwarded = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    const first = await t.connect(forwarded('203.0.113.7'));
    const second = await t.connect(forwarded('203.0.113.8'));
    await acked(first, 'events', GATEWAY_LIMIT);
    expectRefusal(await refused(first, 'events'), 60);
    expect(await acked(second, 'events', GATEWAY_LIMIT)).toHaveLength(GATEWAY_LIMIT);
    // The proxy's own address has a counter of its own too.
    const direct = await t.connect();
    expect(await acked(direct, 'events', 1)).toHaveLength(1);
  });

  it('ignores X-Forwarded-For unless proxies are trusted', async () => {
    t = await startSocketApp();
    const first = await t.connect({ headers: { 'x-forwarded-for': '203.0.113.7' } });
    await acked(first, 'events', GATEWAY_LIMIT);
    const second = await t.connect({ headers: { 'x-forwarded-for': '203.0.113.8' } });
    expectRefusal(await refused(second, 'events'), 60);
  });
});

describe('concurrent messages', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.close();
  });

  /** Module options of each store the concurrency tests run on. */
  const stores: [string, () => RateLimitModuleOptions][] = [
    ['memory', () => ({ store: 'memory' })],
    ['redis', () => ({ store: 'redis', redis: { url: redis.url } })],
  ];

  describe.each(stores)('with the %s store', (_name, options) => {
    let t: SocketTestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('20 at once on one socket: exactly the limit acknowledged, every other one refused', async () => {
      t = await startSocketApp(options());
      const socket = await t.connect();
      const { acks, codes } = await burst([socket], 'events', 20);
      expect(acks).toBe(GATEWAY_LIMIT);
      expect(codes).toEqual(Array<string>(20 - GATEWAY_LIMIT).fill('RATE_LIMITED'));
      expect(t.runs('events')).toBe(GATEWAY_LIMIT);
    });

    it('20 at once over 4 sockets of one address: exactly the limit acknowledged in all', async () => {
      t = await startSocketApp(options());
      const sockets = await Promise.all([1, 2, 3, 4].map(() => t!.connect()));
      const { acks, codes } = await burst(sockets, 'events', 20);
      expect(acks).toBe(GATEWAY_LIMIT);
      expect(codes).toEqual(Array<string>(20 - GATEWAY_LIMIT).fill('RATE_LIMITED'));
      expect(t.runs('events')).toBe(GATEWAY_LIMIT);
    });
  });
});

describe('a Redis outage under a socket.io gateway', () => {
  const TIMEOUT_MS = 200;
  /** Slack for the round trip on a loaded 2-core machine. */
  const MARGIN_MS = 600;
  let backend: ThrowawayRedis;
  let stopped = false;
  let t: SocketTestApp | undefined;
  beforeAll(async () => {
    backend = await startRedisServer();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (stopped) await backend.start();
    stopped = false;
  });
  afterAll(async () => {
    await backend.close();
  });

  const outageOptions = (failOpen: boolean): RateLimitModuleOptions => ({
    store: 'redis',
    redis: { url: backend.url },
    timeoutMs: TIMEOUT_MS,
    failOpen,
  });
  const stop = async () => {
    stopped = true;
    await backend.stop();
  };

  it('fails open: every message acknowledged, none counted, none refused', async () => {
    t = await startSocketApp(outageOptions(true));
    const socket = await t.connect();
    await acked(socket, 'events', 1);
    await stop();
    for (let i = 0; i < GATEWAY_LIMIT + 2; i += 1) {
      const started = performance.now();
      expect(await send(socket, 'events', { i })).toEqual({ ok: true, data: { i } });
      expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    }
    expect(t.runs('events')).toBe(GATEWAY_LIMIT + 3);
  });

  it('fails closed: refused as a precaution, with a wait of 1 s', async () => {
    t = await startSocketApp(outageOptions(false));
    const socket = await t.connect();
    await acked(socket, 'events', 1);
    await stop();
    const started = performance.now();
    const error = await refused(socket, 'events');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(error).toEqual({
      status: 'error',
      code: 'RATE_LIMITED',
      message: 'Access denied as a precaution',
      retryAfter: 1,
    });
    expect(t.runs('events')).toBe(1);
  });
});

describe('WebSocket gateways on ws (@nestjs/platform-ws)', () => {
  let t: WsTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** Sends `{ event, data }` and resolves with the next message the server sends back. */
  const exchange = async (socket: WebSocket, event: string, data: unknown) => {
    const reply = within(once(socket, 'message'), 2000, `answer to ${event}`);
    socket.send(JSON.stringify({ event, data }));
    const [raw] = (await reply) as [Buffer];
    return JSON.parse(raw.toString()) as { event: string; data: unknown };
  };

  it('answers the limit, then sends the refusal as an exception message', async () => {
    t = await startWsApp();
    const socket = await t.connect();
    for (let i = 0; i < GATEWAY_LIMIT; i += 1)
      expect(await exchange(socket, 'events', { i })).toEqual({
        event: 'events',
        data: { ok: true, data: { i } },
      });
    const answer = await exchange(socket, 'events', { i: GATEWAY_LIMIT });
    expect(answer.event).toBe('exception');
    expectRefusal(answer.data as RateLimitedSocketError, 60);
    expect(t.runs('events')).toBe(GATEWAY_LIMIT);
    // Another connection from the same address is refused at once.
    const again = await t.connect();
    expect((await exchange(again, 'events', {})).event).toBe('exception');
  });
});
