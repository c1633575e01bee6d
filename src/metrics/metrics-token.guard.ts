import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

/** Injection token of the token `GET /metrics` asks for (`METRICS_TOKEN`; unset: none). */
export const METRICS_TOKEN = Symbol('METRICS_TOKEN');

const BEARER = /^Bearer +(\S+) *$/i;

/** Lets a scrape through when `METRICS_TOKEN` is unset, or when it brings it as a bearer token. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(METRICS_TOKEN) token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const header = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    const given = BEARER.exec(header ?? '')?.[1];
    // Digests of equal length, compared in constant time: the token's length leaks nothing.
    if (given !== undefined && timingSafeEqual(digest(given), this.expected)) return true;
    throw new UnauthorizedException('Metrics need the METRICS_TOKEN bearer token');
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
