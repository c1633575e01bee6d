import { ConflictException } from '@nestjs/common';
import { uniqueViolation } from './database-errors.js';

/**
 * Turns a unique violation into a 409 with the message given for its constraint (a race lost to
 * another write ends the same way as a conflict seen beforehand); rethrows anything else.
 */
export function rethrowConflict(error: unknown, messages: Record<string, string>): never {
  const constraint = uniqueViolation(error);
  if (constraint !== undefined) {
    throw new ConflictException(messages[constraint] ?? 'This conflicts with an existing record');
  }
  throw error;
}
