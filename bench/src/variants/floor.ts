import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { CALLER_HEADER } from '../scenarios.js';
import { header } from './caller.js';
import type { VariantFactory } from './variant.js';

interface Request {
  headers: Record<string, string | string[] | undefined>;
  url: string;
  ip?: string;
}
interface Response {
  setHeader(name: string, value: string): void;
}

function writeConstantHeaders(response: Response): void {
  response.setHeader('X-RateLimit-Limit', '1000');
  response.setHeader('X-RateLimit-Remaining', '999');
  response.setHeader('X-RateLimit-Reset', '60');
}

/**
 * The cheapest guard that still does a rate limiter's visible work: an async `canActivate` that
 * writes three constant headers and counts nothing. Its ratio is the ceiling for any guard here.
 */
@Injectable()
export class FloorGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    writeConstantHeaders(context.switchToHttp().getResponse<Response>());
    return true;
  }
}

/**
 * {@link FloorGuard} that first reads what any limiter must know, who calls and where: the caller
 * header (else the IP) and the URL, joined into a key, as `rate-limiter-flexible`'s guard does.
 * Still counts nothing: the cost of a decision's inputs, on a real request.
 */
@Injectable()
export class FloorInputsGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const key = `${header(request, CALLER_HEADER) ?? request.ip}:${request.url}`;
    // Used, so that the key is built: an empty one never happens.
    if (key.length === 0) return false;
    writeConstantHeaders(http.getResponse<Response>());
    return true;
  }
}

/** The reference floor: {@link FloorGuard}, no store. */
export const floor: VariantFactory = () => ({ guard: FloorGuard });

/** The floor with its inputs read: {@link FloorInputsGuard}, no store. */
export const floorInputs: VariantFactory = () => ({ guard: FloorInputsGuard });
