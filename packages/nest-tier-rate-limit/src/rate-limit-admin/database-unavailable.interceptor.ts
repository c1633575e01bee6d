import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  ServiceUnavailableException,
  UseInterceptors,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { catchError, type Observable, tap, throwError } from 'rxjs';
import { BackendFailureLog } from '../rate-limit/index.js';
import { isDatabaseUnavailable } from './database-errors.js';

/** The message of the admin API's 503 while its database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'Rate-limit rules database unavailable; try again later';

/**
 * `Retry-After` of that 503, in seconds. A guess, not a promise: the connection pool reconnects
 * on the next request, so any retry after the database returns succeeds.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Turns a database that cannot be reached into `503 { statusCode, message }` with `Retry-After`,
 * logged without flooding (see `isDatabaseUnavailable`). Every other error is rethrown untouched,
 * so a bug stays a 500 and the app's own exception filters still see it. Works on Express and
 * Fastify alike: the header goes through the HTTP adapter, the reply through Nest's filters.
 */
@Injectable()
export class DatabaseUnavailableInterceptor implements NestInterceptor {
  private readonly failures = new BackendFailureLog('rate-limit admin database');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap(() => this.failures.success()),
      catchError((error: unknown) => {
        if (!isDatabaseUnavailable(error)) return throwError(() => error);
        this.failures.failure(error, 'the admin API answers 503');
        const response: unknown = context.switchToHttp().getResponse();
        const retryAfter = String(DATABASE_RETRY_AFTER_SECONDS);
        this.adapterHost.httpAdapter.setHeader(response, 'Retry-After', retryAfter);
        const body = { statusCode: 503, message: DATABASE_UNAVAILABLE_MESSAGE };
        return throwError(() => new ServiceUnavailableException(body, { cause: error }));
      }),
    );
  }
}

/**
 * Applies {@link DatabaseUnavailableInterceptor} to a controller (its 503 is documented by
 * `documentRateLimitAdmin`).
 */
export const AnswersServiceUnavailable = () => UseInterceptors(DatabaseUnavailableInterceptor);
