import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
} from '@nestjs/common';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { CALLER_HEADER } from '../scenarios.js';
import { header } from './caller.js';

/** The parts of an Express request and response the guard uses. */
interface Request {
  headers: Record<string, string | string[] | undefined>;
  path: string;
  ip?: string;
}
interface Response {
  setHeader(name: string, value: string): void;
}

/** Injection token of the `rate-limiter-flexible` limiter the guard consumes from. */
export const RLF_LIMITER = Symbol('RLF_LIMITER');

/**
 * The small guard a NestJS user writes around `rate-limiter-flexible`: consumes one point on
 * `caller header + path` and writes the same headers as this project's guard
 * (`X-RateLimit-Limit`, `-Remaining`, `-Reset` on every response, `Retry-After` on a 429).
 * A store error lets the request through, as this project's default (`failOpen`) does.
 */
@Injectable()
export class RlfGuard implements CanActivate {
  constructor(@Inject(RLF_LIMITER) private readonly limiter: RateLimiterAbstract) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const key = `${header(request, CALLER_HEADER) ?? request.ip}:${request.path}`;
    try {
      this.writeHeaders(response, await this.limiter.consume(key));
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return true;
      this.writeHeaders(response, rejection);
      response.setHeader('Retry-After', String(Math.max(1, secondsOf(rejection))));
      const message = `Rate limit exceeded. Try again in ${secondsOf(rejection)} seconds.`;
      throw new HttpException({ statusCode: 429, message }, HttpStatus.TOO_MANY_REQUESTS);
    }
  }

  private writeHeaders(response: Response, result: RateLimiterRes): void {
    response.setHeader('X-RateLimit-Limit', String(this.limiter.points));
    response.setHeader('X-RateLimit-Remaining', String(result.remainingPoints));
    response.setHeader('X-RateLimit-Reset', String(secondsOf(result)));
  }
}

function secondsOf(result: RateLimiterRes): number {
  return Math.ceil(result.msBeforeNext / 1000);
}
