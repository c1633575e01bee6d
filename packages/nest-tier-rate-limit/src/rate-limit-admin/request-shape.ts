import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';

/** Deepest JSON nesting accepted in a request body: the DTOs are flat, the validators recurse. */
export const MAX_BODY_DEPTH = 32;

/** Keys class-transformer skips silently (Object.prototype's members): the whitelist never sees them. */
const SKIPPED_KEYS = new Set([
  '__proto__',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * Walks a body or query object without recursion and refuses, with a 400, one nested past
 * {@link MAX_BODY_DEPTH} (the validators would overflow the stack: a 500) or with a top-level key
 * named after an Object.prototype member (class-transformer would drop it instead of refusing it;
 * `?%5F%5Fproto%5F%5F=1` arrives decoded).
 * @param what how the message names the value (`request body`, `query`)
 */
export function assertRequestShape(root: unknown, what: string): void {
  const pending: [value: unknown, depth: number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) {
      throw new BadRequestException(`${what} is nested deeper than ${MAX_BODY_DEPTH} levels`);
    }
    for (const [key, child] of Object.entries(value)) {
      // Only the DTO's own level: a nested object is refused by the field that holds it.
      if (depth === 1 && SKIPPED_KEYS.has(key)) {
        throw new BadRequestException([`property ${key} should not exist`]);
      }
      pending.push([child, depth + 1]);
    }
  }
}

/**
 * Checks a request's body and query with {@link assertRequestShape} before any pipe runs, the
 * host's global ones included (Nest runs interceptors before pipes).
 */
@Injectable()
export class RequestShapeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ body?: unknown; query?: unknown }>();
    assertRequestShape(request.body, 'request body');
    assertRequestShape(request.query, 'query');
    return next.handle();
  }
}
