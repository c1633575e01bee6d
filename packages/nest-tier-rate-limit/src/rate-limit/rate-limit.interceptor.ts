import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { HttpAdapterHost } from '@nestjs/core';
import { catchError, from, map, mergeMap, type Observable, throwError } from 'rxjs';
import { isPromiseLike } from './maybe-promise.js';
import {
  responseHeaderSetter,
  type SetResponseHeader,
  writeRateLimitHeaders,
} from './rate-limit-headers.js';
import { type RateLimitSettlement, takeRateLimitSettlement } from './rate-limit-request.js';
import { RateLimitService } from './rate-limit.service.js';

/**
 * Settles the guard's hit once the handler has answered, for routes where only some answers use
 * quota (`@RateLimited({ count: 'failed' })` for login attempts, `count: 'successful'`): the hit
 * of an answer that should not count is given back, and the response's rate-limit headers show
 * what is left after it. `@RateLimited` applies it where `count` is set; applying it globally as
 * well settles each request once.
 *
 * The answer's status: the route's `@HttpCode` (else 200) when the handler returns, the
 * exception's own status when it throws (an `HttpException`'s, else 500, as Nest's filters
 * answer), before the filters run; the exception goes on to them unchanged.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  private setHeader: SetResponseHeader | undefined;

  constructor(
    private readonly limiter: RateLimitService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const settlement = takeRateLimitSettlement(context.getArgByIndex<object>(0));
    if (settlement === undefined) return next.handle();
    let settled = false;
    const settle = (status: number) => {
      if (settled) return Promise.resolve();
      settled = true;
      return this.settle(context, settlement, status);
    };
    return next.handle().pipe(
      mergeMap((value: unknown) => from(settle(successStatus(context))).pipe(map(() => value))),
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
    this.setHeader ??= responseHeaderSetter(this.adapterHost.httpAdapter);
    writeRateLimitHeaders(this.setHeader, context.getArgByIndex(1), after);
  }
}

/** The status of a handler's answer: its `@HttpCode`, else 200 (201 for POST, also below 400). */
function successStatus(context: ExecutionContext): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
  return code ?? HttpStatus.OK;
}

/** The status Nest's filters answer for an exception, as far as the exception says. */
function errorStatus(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 100 && status < 600
    ? status
    : HttpStatus.INTERNAL_SERVER_ERROR;
}
