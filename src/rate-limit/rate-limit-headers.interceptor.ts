import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { writeRateLimitHeaders } from './rate-limit-headers.js';
import { RATE_LIMIT_DECISION, type RateLimitedRequest } from './rate-limit-request.js';

/**
 * Writes the rate-limit headers of an allowed request, registered globally by the module.
 * Headers go out before the handler runs, so error responses of the handler carry them too;
 * routes the guard did not check carry none.
 */
@Injectable()
export class RateLimitHeadersInterceptor implements NestInterceptor {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const decision = context.switchToHttp().getRequest<RateLimitedRequest>()[RATE_LIMIT_DECISION];
      if (decision !== undefined) {
        writeRateLimitHeaders(
          this.adapterHost.httpAdapter,
          context.switchToHttp().getResponse(),
          decision,
        );
      }
    }
    return next.handle();
  }
}
