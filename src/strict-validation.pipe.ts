import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/** Deepest JSON nesting accepted in a request body: the DTOs are flat, the validators recurse. */
export const MAX_BODY_DEPTH = 32;

/** Keys class-transformer skips silently (Object.prototype's members): the whitelist never sees them. */
const SKIPPED_KEYS = new Set([
  '__proto__',
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * `ValidationPipe` that first walks a body without recursion: a body nested past
 * {@link MAX_BODY_DEPTH} (which would overflow the stack inside the validators: a 500) and a field
 * named after an Object.prototype member (which would be dropped instead of refused) are a 400.
 */
export class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') checkBodyShape(value);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

function checkBodyShape(body: unknown): void {
  const pending: [value: unknown, depth: number][] = [[body, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) {
      throw new BadRequestException(`request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
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
