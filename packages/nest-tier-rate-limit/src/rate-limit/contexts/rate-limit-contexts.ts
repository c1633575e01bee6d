import { type ExecutionContext, Logger } from '@nestjs/common';
import type { ProxyTrust } from '../client-ip.js';
import type { MaybePromise } from '../maybe-promise.js';
import type { RateLimitCaller } from '../rate-limit-caller.js';
import type { RateLimitDecision } from '../rate-limit-decision.js';
import { RateLimitExceededException } from '../rate-limit-exceeded.exception.js';
import type { ResolvedRateLimitOptions } from '../rate-limit-options.js';
import { sanitizePath } from '../rate-limit-path.js';
import type { RateLimitHandlerPath, RateLimitRoute } from '../rate-limit-routes.js';
import type { RateLimitContextTarget } from './rate-limit-context-target.js';
import {
  type GraphqlContextValue,
  type GraphqlFieldInfo,
  graphqlRequest,
  graphqlResponse,
} from './graphql-context.js';
import { RateLimitedGraphQLError } from './rate-limited-graphql.error.js';
import {
  type SocketClient,
  socketAddress,
  socketCallerSource,
  socketRefusal,
} from './socket-context.js';

/** A call outside HTTP as the guard counts it. */
export interface ResolvedContextTarget extends RateLimitHandlerPath {
  caller: RateLimitCaller | undefined;
  /** Who an anonymous call counts under; unused (empty) when there is a caller. */
  tracker: string;
  /** The HTTP response to write headers on, if there is one. */
  response?: object;
  /** What lives as long as the response, where several decisions on it are weighed. */
  responseScope?: object;
  refusal: (decision: RateLimitDecision) => Error;
}

type WsExceptionClass = new (error: string | object) => Error;

/**
 * Reads what the guard needs from execution contexts that are not HTTP: a GraphQL resolver's
 * field and request, a WebSocket handler's message and connection, else the app's
 * `contextResolver`. Other contexts pass unguarded, with a debug line once per handler.
 */
export class RateLimitContexts {
  private readonly logger = new Logger('RateLimitGuard');
  private readonly unguarded = new WeakSet<object>();
  /** A connection's address, worked out at its first message. */
  private readonly addresses = new WeakMap<object, string>();
  private wsException: WsExceptionClass | undefined;
  private lastInfo: { parent: string; field: string; path: string } | undefined;

  constructor(
    private readonly options: ResolvedRateLimitOptions,
    private readonly proxyTrust: ProxyTrust,
    /** The anonymous identity of an HTTP request (the guard's `getTracker`). */
    private readonly trackRequest: (request: object) => string,
  ) {}

  /**
   * The call to count, `undefined` to let it through; a promise only at a WebSocket context's
   * first call, while `@nestjs/websockets` loads for its `WsException`.
   */
  target(
    context: ExecutionContext,
    route: RateLimitRoute,
  ): MaybePromise<ResolvedContextTarget | undefined> {
    const custom = this.options.contextResolver?.(context);
    if (custom !== undefined) return fromCustom(custom);
    const type = context.getType<string>();
    if (type === 'graphql') return this.graphqlTarget(context, route);
    if (type === 'ws') {
      if (this.wsException !== undefined) return this.socketTarget(context, route);
      return loadWsException().then((loaded) => {
        this.wsException = loaded;
        return this.socketTarget(context, route);
      });
    }
    return this.passUnguarded(context, `${type} contexts need the contextResolver option`);
  }

  private graphqlTarget(
    context: ExecutionContext,
    route: RateLimitRoute,
  ): ResolvedContextTarget | undefined {
    const value = context.getArgByIndex<GraphqlContextValue | undefined>(2);
    const info = context.getArgByIndex<GraphqlFieldInfo | undefined>(3);
    const request = graphqlRequest(value);
    if (info?.parentType === undefined || request === undefined)
      return this.passUnguarded(context, 'the GraphQL context has no request (req)');
    // A field below the root runs once per parent object: counted only where asked for.
    if (info.path?.prev !== undefined && !route.ownLimit)
      return this.passUnguarded(context, 'a field resolver counts only with its own @RateLimited');
    const path = this.fieldPath(info);
    const response = graphqlResponse(value);
    const caller = this.options.callerResolver(request);
    return {
      caller,
      tracker: caller === undefined ? this.trackRequest(request) : '',
      path,
      rawPath: path,
      template: undefined,
      response,
      responseScope: response === undefined ? undefined : value,
      refusal: graphqlRefusal,
    };
  }

  private socketTarget(
    context: ExecutionContext,
    route: RateLimitRoute,
  ): ResolvedContextTarget | undefined {
    const client = context.getArgByIndex<SocketClient | undefined>(0);
    const message = route.message;
    if (typeof client !== 'object' || client === null || message === undefined)
      return this.passUnguarded(context, 'the handler has no @SubscribeMessage name');
    let tracker = this.addresses.get(client);
    if (tracker === undefined) {
      tracker = socketAddress(client, this.proxyTrust, this.options.ipv6Subnet);
      this.addresses.set(client, tracker);
    }
    const WsException = this.wsException!;
    const caller = this.options.callerResolver(socketCallerSource(client));
    return {
      caller,
      tracker,
      ...message,
      refusal: (decision) => new WsException(socketRefusal(decision)),
    };
  }

  /** `Type.field`, the same string for the same field in a row. */
  private fieldPath(info: GraphqlFieldInfo): string {
    const parent = info.parentType.name;
    const field = info.fieldName;
    const last = this.lastInfo;
    if (last !== undefined && last.parent === parent && last.field === field) return last.path;
    const path = `${parent}.${field}`;
    this.lastInfo = { parent, field, path };
    return path;
  }

  private passUnguarded(context: ExecutionContext, why: string): undefined {
    const handler = context.getHandler();
    if (!this.unguarded.has(handler)) {
      this.unguarded.add(handler);
      this.logger.debug(
        `Not rate limited: ${context.getClass().name}.${handler.name} (${context.getType()}): ${why}`,
      );
    }
    return undefined;
  }
}

function graphqlRefusal(decision: RateLimitDecision): Error {
  return new RateLimitedGraphQLError(decision);
}

function httpRefusal(decision: RateLimitDecision): Error {
  return new RateLimitExceededException(decision);
}

function fromCustom(target: RateLimitContextTarget): ResolvedContextTarget {
  const path = sanitizePath(target.path);
  return {
    caller: target.caller,
    tracker: target.tracker,
    path,
    rawPath: target.path,
    template: undefined,
    refusal: target.refusal ?? httpRefusal,
  };
}

async function loadWsException(): Promise<WsExceptionClass> {
  // Loaded only where a gateway runs: an app without one needs no `@nestjs/websockets`.
  const websockets = await import('@nestjs/websockets');
  return websockets.WsException;
}
