import {
  type ArgumentMetadata,
  BadRequestException,
  UsePipes,
  ValidationPipe,
  type ValidationPipeOptions,
} from '@nestjs/common';

/** Deepest JSON nesting accepted in a request body: the DTOs are flat, the validators recurse. */
export const MAX_BODY_DEPTH = 32;

/** Keys class-transformer skips silently (Object.prototype's members): the whitelist never sees them. */
const SKIPPED_KEYS = new Set([
  '__proto__',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/** How a 400 names each checked kind of argument. */
const CHECKED: Partial<Record<ArgumentMetadata['type'], string>> = {
  body: 'request body',
  query: 'query',
};

/**
 * `ValidationPipe` that first walks a body or a query object without recursion: one nested past
 * {@link MAX_BODY_DEPTH} (which would overflow the stack inside the validators: a 500) and a key
 * named after an Object.prototype member (which would be dropped instead of refused, whatever its
 * spelling in the URL: `?%5F%5Fproto%5F%5F=1` arrives decoded) are a 400.
 */
export class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const what = CHECKED[metadata.type];
    if (what !== undefined) checkShape(value, what);
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
 * leave unchanged.
 */
export const ValidatesOwnInput = () => UsePipes(new StrictValidationPipe(ADMIN_VALIDATION_OPTIONS));

function checkShape(root: unknown, what: string): void {
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
