import { UnauthorizedException } from '@nestjs/common';

/**
 * Enforces `crit` (RFC 7515 §4.1.11) on a verified token's protected header: a recipient must
 * refuse a JWS that lists extensions it does not understand, and this server understands none,
 * so a header carrying `crit` at all is refused. A malformed `crit` (anything but a non-empty
 * array of non-empty strings) gets its own message; both are 401s.
 * @throws UnauthorizedException when the header has `crit`, or is not a JSON object
 * @example rejectCriticalHeader({ alg: 'HS256', crit: ['b64'], b64: false }) // throws
 */
export function rejectCriticalHeader(header: unknown): void {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new UnauthorizedException('Invalid token');
  }
  if (!Object.hasOwn(header, 'crit')) return;
  const { crit } = header as { crit: unknown };
  const wellFormed =
    Array.isArray(crit) &&
    crit.length > 0 &&
    crit.every((name) => typeof name === 'string' && name !== '');
  throw new UnauthorizedException(
    wellFormed
      ? 'Token header "crit" lists extensions this server does not support'
      : 'Token header "crit" is malformed',
  );
}
