import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { VariantFactory } from './variant.js';

interface Response {
  setHeader(name: string, value: string): void;
}

/**
 * The cheapest guard that still does a rate limiter's visible work: an async `canActivate` that
 * writes three constant headers and counts nothing. Its ratio is the ceiling for any guard here.
 */
@Injectable()
export class FloorGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const response = context.switchToHttp().getResponse<Response>();
    response.setHeader('X-RateLimit-Limit', '1000');
    response.setHeader('X-RateLimit-Remaining', '999');
    response.setHeader('X-RateLimit-Reset', '60');
    return true;
  }
}

/** The reference floor: {@link FloorGuard}, no store. */
export const floor: VariantFactory = () => ({ guard: FloorGuard });
