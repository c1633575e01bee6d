import { jest } from '@jest/globals';
import { type ExecutionContext, Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  RateLimited,
  RateLimitExceededException,
  RateLimitGuard,
  RateLimitModule,
  type RateLimitModuleOptions,
} from 'nest-tier-rate-limit';

/** A message handler of a transport the guard does not know, as a microservice has. */
class OrdersHandler {
  @RateLimited({ limit: 2, period: 60 })
  created(): void {}
}

class RpcRefusal extends Error {}

/** The context Nest builds for a message: arguments, handler, class, and the transport's type. */
function messageContext(subject: string): ExecutionContext {
  const context = new ExecutionContextHost(
    [{ order: 1 }, { subject }],
    OrdersHandler,
    OrdersHandler.prototype.created,
  );
  context.setType('rpc');
  return context;
}

describe('RateLimitGuard in contexts other than HTTP, GraphQL and WebSocket', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    await moduleRef?.close();
    moduleRef = undefined;
  });

  const guardWith = async (options: RateLimitModuleOptions) => {
    moduleRef = await Test.createTestingModule({
      imports: [RateLimitModule.forRoot(options)],
    }).compile();
    return moduleRef.get(RateLimitGuard);
  };

  const activate = async (guard: RateLimitGuard, subject: string) => {
    try {
      return await guard.canActivate(messageContext(subject));
    } catch (error) {
      return error;
    }
  };

  it('lets every call through, with one debug line per handler, when no resolver reads it', async () => {
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const guard = await guardWith({});
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await activate(guard, 'orders.created'));
    expect(answers).toEqual([true, true, true, true, true]);
    expect(debug.mock.calls).toEqual([
      [
        'Not rate limited: OrdersHandler.created (rpc): rpc contexts need the contextResolver option',
      ],
    ]);
  });

  it('limits the calls a contextResolver reads, per tracker, refusing with its error', async () => {
    const guard = await guardWith({
      contextResolver: (context) => {
        if (context.getType() !== 'rpc') return undefined;
        const { subject } = context.switchToRpc().getContext<{ subject: string }>();
        return {
          tracker: subject,
          path: 'orders.created',
          refusal: (decision) => new RpcRefusal(`retry in ${decision.retryAfterSeconds} s`),
        };
      },
    });
    const first = [];
    for (let i = 0; i < 3; i += 1) first.push(await activate(guard, 'shop-a'));
    expect(first.slice(0, 2)).toEqual([true, true]);
    expect(first[2]).toBeInstanceOf(RpcRefusal);
    expect((first[2] as Error).message).toMatch(/^retry in \d+ s$/);
    // Another tracker has a counter of its own.
    expect(await activate(guard, 'shop-b')).toBe(true);
  });

  it('refuses with the HTTP 429 exception when the resolver names no error, keyed on the user', async () => {
    const guard = await guardWith({
      contextResolver: (context) => ({
        caller: { id: 'u1', tierId: null, isSuperuser: false },
        // A tracker of its own each call: only the user can key them together.
        tracker: context.switchToRpc().getContext<{ subject: string }>().subject,
        path: 'orders.created',
      }),
    });
    expect(await activate(guard, 'a')).toBe(true);
    expect(await activate(guard, 'b')).toBe(true);
    expect(await activate(guard, 'c')).toBeInstanceOf(RateLimitExceededException);
  });

  it('stops start-up when contextResolver is not a function', async () => {
    await expect(guardWith({ contextResolver: 'rpc' as never })).rejects.toThrow(
      'RateLimitModule option contextResolver must be a function',
    );
  });
});
