import {
  applyDecorators,
  type ArgumentMetadata,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { assertRequestShape, RequestShapeInterceptor } from './request-shape.js';

/** How a 400 names each checked kind of argument. */
const CHECKED: Partial<Record<ArgumentMetadata['type'], string>> = {
  body: 'request body',
  query: 'query',
};

/**
 * `ValidationPipe` that first walks a body or a query object without recursion: one nested past
 * `MAX_BODY_DEPTH` (which would overflow the stack inside the validators: a 500) and a key
 * named after an Object.prototype member (which would be dropped instead of refused, whatever its
 * spelling in the URL: `?%5F%5Fproto%5F%5F=1` arrives decoded) are a 400.
 */
export class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const what = CHECKED[metadata.type];
    if (what !== undefined) assertRequestShape(value, what);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** How the admin API validates: unknown fields refused, values turned into their DTO classes. */
export const ADMIN_VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
};

/**
 * Validates a controller's bodies, queries and params with a {@link StrictValidationPipe} of its
 * own, so it needs no global pipe. Under a host's global `ValidationPipe` both run: the second
 * pass re-transforms an already transformed DTO, which its transforms (NFC, `Type(() => Number)`)
 * leave unchanged. The shape checks also run before any pipe ({@link RequestShapeInterceptor}),
 * since Nest runs a host's global pipes first: a deep body would overflow the stack in them.
 */
export const ValidatesOwnInput = () =>
  applyDecorators(
    UseInterceptors(RequestShapeInterceptor),
    UsePipes(new StrictValidationPipe(ADMIN_VALIDATION_OPTIONS)),
  );
