import { types } from 'node:util';
import { QueryFailedError } from 'typeorm';

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATEs of a session the server refused or ended from outside: `admin_shutdown` (the session
 * was terminated, or the server is shutting down), `crash_shutdown`, `cannot_connect_now` (the
 * server is starting up or in recovery) and `too_many_connections`. Class `08` (connection
 * exception) is matched as a whole.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * `object_not_in_prerequisite_state`: why a new session is refused while the database does not
 * allow connections (`ALTER DATABASE … ALLOW_CONNECTIONS false`). In a live session it is a bug
 * (`currval` before `nextval`), so it counts only when raised while connecting.
 */
const NOT_ACCEPTING_CONNECTIONS = '55000';

/** Socket errors: the server cannot be reached, or the connection to it broke. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  // A database host's name disappears from DNS while its container is down (docker compose).
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What `pg` and `pg-pool` throw, without a code, when a connection breaks or times out. */
const DRIVER_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
]);

function driverError(error: unknown): { code?: string; constraint?: string } | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  return error.driverError as { code?: string; constraint?: string };
}

/** The constraint a unique violation hit, or `undefined` for any other error. */
export function uniqueViolation(error: unknown): string | undefined {
  const driver = driverError(error);
  return driver?.code === UNIQUE_VIOLATION ? (driver.constraint ?? '') : undefined;
}

/**
 * Whether `error` means the database cannot be reached now (refused, cut, shut down, not
 * accepting connections, timed out), as opposed to a query that failed in a working session,
 * which is a bug or a conflict. Errors of connecting come from TypeORM as the driver threw them;
 * errors of a query come wrapped in a `QueryFailedError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const connecting = !(error instanceof QueryFailedError);
  const cause: unknown = connecting ? error : error.driverError;
  // Not `instanceof Error`: socket errors are made in Node's own realm, which may not be ours.
  if (!types.isNativeError(cause)) return false;
  const code = (cause as { code?: unknown }).code;
  if (typeof code !== 'string') return DRIVER_MESSAGES.has(cause.message);
  return (
    SOCKET_ERRORS.has(code) ||
    UNAVAILABLE_STATES.has(code) ||
    /^08[0-9A-Z]{3}$/.test(code) ||
    (connecting && code === NOT_ACCEPTING_CONNECTIONS)
  );
}
