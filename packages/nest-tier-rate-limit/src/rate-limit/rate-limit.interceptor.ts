import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { catchError, from, map, mergeMap, type Observable, throwError } from 'rxjs';
import { isPromiseLike } from './maybe-promise.js';
import { type GraphqlContextValue, graphqlResponse } from './contexts/graphql-context.js';
import { showsOnResponse } from './contexts/response-decision.js';
import type { RateLimitDecision } from './rate-limit-decision.js';
import {
  responseHeaderSetter,
  type SetResponseHeader,
  writeHeadersIfUnsent,
} from './rate-limit-headers.js';
import { type RateLimitSettlement, takeRateLimitSettlement } from './rate-limit-request.js';
import { RateLimitService } from './rate-limit.service.js';
import { RATE_LIMIT_OPTIONS } from './rate-limit-options.resolve.js';
import type { ResolvedRateLimitOptions } from './rate-limit-options.js';

/**
 * Settles the guard's hit once the handler has answered, for routes where only some answers use
 * quota (`@RateLimited({ count: 'failed' })` for login attempts, `count: 'successful'`): the hit
 * of an answer that should not count is given back, and the response's rate-limit headers show
 * what is left after it. `@RateLimited` applies it where `count` is set; applying it globally as
 * well settles each request once.
 *
 * The answer's status: the response's when the handler returns (Nest sets it from `@HttpCode`, else
 * 200 or 201, before interceptors run; a handler may change it), the exception's own when it
 * throws (an `HttpException`'s, an http-errors `statusCode`, else 500, as Nest's filter answers),
 * read before the filters run; the exception goes on to them unchanged.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  private setHeader: SetResponseHeader | undefined;

  constructor(
    private readonly limiter: RateLimitService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: ResolvedRateLimitOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.getType() === 'http';
    // Outside HTTP the guard leaves it on the call's arguments, the same array for both.
    const settlement = takeRateLimitSettlement(
      http ? context.getArgByIndex<object>(0) : context.getArgs(),
    );
    if (settlement === undefined) return next.handle();
    let settled = false;
    const settle = (status: number) => {
      if (settled) return Promise.resolve();
      settled = true;
      return this.settle(context, settlement, status);
    };
    const response = http ? context.getArgByIndex<RespondingTo>(1) : {};
    return next.handle().pipe(
      mergeMap((value: unknown) => from(settle(successStatus(response))).pipe(map(() => value))),
      catchError((error: unknown) =>
        from(settle(errorStatus(error))).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }

  /** Gives the hit back when the answer is not one that counts, and rewrites the headers. */
  private async settle(
    context: ExecutionContext,
    { decision, count }: RateLimitSettlement,
    status: number,
  ): Promise<void> {
    const failed = status >= 400;
    if (failed === (count === 'failed')) return;
    const settled = this.limiter.settle(decision);
    const after = isPromiseLike(settled) ? await settled : settled;
    if (after === decision) return;
    const response = responseOf(context, after, decision);
    if (response === undefined) return;
    this.setHeader ??= responseHeaderSetter(this.adapterHost.httpAdapter);
    // The refund stands whether or not its headers can still be written.
    writeHeadersIfUnsent(this.setHeader, response, after, this.options.headers);
  }
}

/**
 * Where a settled decision's headers go: the HTTP response; a GraphQL operation's, when the
 * settled field is still the one its headers show; nowhere for a WebSocket message.
 */
function responseOf(
  context: ExecutionContext,
  after: RateLimitDecision,
  before: RateLimitDecision,
): object | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.getArgByIndex<object>(1);
  if (type !== 'graphql') return undefined;
  const value = context.getArgByIndex<GraphqlContextValue | undefined>(2);
  const response = graphqlResponse(value);
  return response !== undefined && showsOnResponse(value!, after, before) ? response : undefined;
}

/** What the interceptor reads of an Express response or a Fastify reply. */
interface RespondingTo {
  statusCode?: number;
  /** Express, Node. */
  headersSent?: boolean;
  /** Fastify. */
  sent?: boolean;
}

/**
 * The status of a handler's answer: the response's own, which Nest sets from `@HttpCode` (else
 * 200, 201 for POST) before interceptors run and a handler may change (`@Res({ passthrough })`).
 */
function successStatus(response: RespondingTo): number {
  return typeof response.statusCode === 'number' ? response.statusCode : HttpStatus.OK;
}

/** The status Nest's exception filter answers for an error, as far as the error says. */
function errorStatus(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) < 600
    ? (status as number)
    : HttpStatus.INTERNAL_SERVER_ERROR;
}
