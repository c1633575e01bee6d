import { QueryFailedError } from 'typeorm';

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

function driverError(error: unknown): { code?: string; constraint?: string } | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  return error.driverError as { code?: string; constraint?: string };
}

/** The constraint a unique violation hit, or `undefined` for any other error. */
export function uniqueViolation(error: unknown): string | undefined {
  const driver = driverError(error);
  return driver?.code === UNIQUE_VIOLATION ? (driver.constraint ?? '') : undefined;
}
