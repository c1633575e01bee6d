/**
 * Mints a demo bearer token (HS256) with the app's secret:
 * `node dist/scripts/token.js --sub 42 --tier-id 2 [--superuser] [--expires-in 1h]`.
 * The token goes to stdout, warnings to stderr; a bad argument exits with status 2.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { resolveJwtSecret } from '../src/auth/jwt-secret.js';

/** Usage text printed by `--help` and after a usage error. */
export const USAGE =
  'Usage: node dist/scripts/token.js --sub <user id> [--tier-id <integer>] [--superuser] ' +
  '[--expires-in <seconds or timespan, default 1h>]';

/** A bad command line: reported with the usage text and exit status 2. */
export class UsageError extends Error {}

/** The environment the script reads. */
export interface TokenEnv {
  /** `NODE_ENV`; `production` makes `JWT_SECRET` required. */
  NODE_ENV?: string;
  /** `JWT_SECRET`; the development secret when unset. */
  JWT_SECRET?: string;
}

const OPTIONS = {
  sub: { type: 'string' },
  'tier-id': { type: 'string' },
  superuser: { type: 'boolean', default: false },
  'expires-in': { type: 'string', default: '1h' },
} as const;

/**
 * Builds the signed token the command line asks for.
 * @throws UsageError on a missing or bad `--sub`, a bad `--tier-id` or `--expires-in`, or an
 *   unknown option; Error when the secret cannot be resolved (production without `JWT_SECRET`).
 * @example buildToken(['--sub', '42', '--tier-id', '2'], process.env, console.error)
 */
export function buildToken(
  argv: readonly string[],
  env: TokenEnv,
  warn: (message: string) => void,
): string {
  const { values } = parseOptions(argv);
  const claims = { ...subAndTier(values.sub, values['tier-id']), isSuperuser: values.superuser };
  const expiresIn = parseExpiresIn(values['expires-in']);
  const jwtSecret = env.JWT_SECRET;
  const secret = resolveJwtSecret({ nodeEnv: env.NODE_ENV ?? 'development', jwtSecret }, warn);
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn });
}

function parseOptions(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function subAndTier(sub: string | undefined, tierId: string | undefined) {
  if (sub === undefined || !/^\S+$/.test(sub)) {
    throw new UsageError('--sub is required and must be a non-empty id without spaces');
  }
  if (tierId === undefined) return { sub };
  if (!/^\d+$/.test(tierId) || !Number.isSafeInteger(Number(tierId))) {
    throw new UsageError(`--tier-id must be a non-negative integer (got "${tierId}")`);
  }
  return { sub, tierId: Number(tierId) };
}

// The timespan forms jsonwebtoken accepts (through `ms`), checked here so no warning precedes the error.
const TIMESPAN =
  /^\d+(\.\d+)? ?(ms|s|m|h|d|w|y|msecs?|secs?|mins?|hrs?|seconds?|minutes?|hours?|days?|weeks?|years?)$/i;

function parseExpiresIn(text: string): NonNullable<jwt.SignOptions['expiresIn']> {
  if (/^\d+$/.test(text)) return Number(text);
  if (TIMESPAN.test(text)) return text as jwt.SignOptions['expiresIn'] & string;
  throw new UsageError(
    `--expires-in must be seconds or a timespan like 15m, 1h, 7d (got "${text}")`,
  );
}

/**
 * Runs the command line: prints the token (or the usage for `--help`) and returns the exit
 * status: 0, 2 on a usage error, 1 on any other error.
 */
export function main(
  argv: readonly string[],
  env: TokenEnv,
  io: { out: (line: string) => void; err: (line: string) => void },
): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  try {
    io.out(buildToken(argv, env, io.err));
    return 0;
  } catch (error) {
    io.err(`token: ${(error as Error).message}`);
    if (!(error instanceof UsageError)) return 1;
    io.err(USAGE);
    return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
