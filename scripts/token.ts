/**
 * Mints a demo bearer token (HS256) with the app's secret:
 * `node dist/scripts/token.js --sub 42 --tier-id 2 [--superuser] [--expires-in 1h]`.
 * Reads `.env` as the server does (the process environment wins) and validates `NODE_ENV`,
 * `JWT_SECRET` and `JWT_MAX_LIFETIME` as the server does, so its tokens are the ones the server
 * accepts. The token goes to stdout, warnings to stderr; a bad argument exits with status 2, and
 * so does an `--expires-in` beyond the maximum lifetime the app enforces with the same environment.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { resolveJwtSecret } from '../src/auth/jwt-secret.js';
import {
  DEFAULT_JWT_MAX_LIFETIME,
  resolveMaxTokenLifetime,
  type TokenLifetimeEnv,
} from '../src/auth/token-lifetime.js';
import { validateEnv } from '../src/config/env.validation.js';
import { loadEnvFile } from '../src/config/load-env-file.js';

/** Usage text printed by `--help` and after a usage error. */
export const USAGE =
  'Usage: node dist/scripts/token.js --sub <user id> [--tier-id <integer>] [--superuser] ' +
  '[--expires-in <seconds or timespan, default 1h>]';

type Warn = (message: string) => void;

/** A bad command line: reported with the usage text and exit status 2. */
export class UsageError extends Error {}

/** The environment the script reads. */
export interface TokenEnv {
  /** `NODE_ENV`; `production` makes `JWT_SECRET` required. */
  NODE_ENV?: string;
  /** `JWT_SECRET`; the development secret when unset. */
  JWT_SECRET?: string;
  /** `JWT_MAX_LIFETIME`, seconds: longest `--expires-in` (24 h in production when unset). */
  JWT_MAX_LIFETIME?: string;
}

const OPTIONS = {
  sub: { type: 'string' },
  'tier-id': { type: 'string' },
  superuser: { type: 'boolean', default: false },
  'expires-in': { type: 'string', default: '1h' },
} as const;

/**
 * Builds the signed token the command line asks for.
 * @throws UsageError on a missing or bad `--sub`, a bad `--tier-id`, an `--expires-in` that is
 *   malformed or beyond the enforced maximum lifetime, or an unknown option; Error on a bad
 *   `NODE_ENV`, `JWT_SECRET` or `JWT_MAX_LIFETIME` (one line each, as the server reports them)
 *   or when the secret cannot be resolved (production without `JWT_SECRET`).
 * @example buildToken(['--sub', '42', '--tier-id', '2'], process.env, console.error)
 */
export function buildToken(argv: readonly string[], env: TokenEnv, warn: Warn): string {
  const { values } = parseOptions(argv);
  const claims = { ...subAndTier(values.sub, values['tier-id']), isSuperuser: values.superuser };
  const expiresIn = parseExpiresIn(values['expires-in']);
  const { NODE_ENV, JWT_SECRET, JWT_MAX_LIFETIME } = env;
  const config = validateEnv({ NODE_ENV, JWT_SECRET, JWT_MAX_LIFETIME });
  checkLifetime(expiresIn, config, warn);
  return jwt.sign(claims, resolveJwtSecret(config, warn), { algorithm: 'HS256', expiresIn });
}

// Refuses what the app with this environment would refuse; warns of what production would.
function checkLifetime(seconds: number, config: TokenLifetimeEnv, warn: Warn) {
  const max = resolveMaxTokenLifetime(config);
  if (max !== undefined && seconds > max) {
    throw new UsageError(
      `--expires-in is ${seconds} seconds, longer than the app accepts (JWT_MAX_LIFETIME=${max})`,
    );
  }
  if (max === undefined && seconds > DEFAULT_JWT_MAX_LIFETIME) {
    warn(
      `--expires-in is ${seconds} seconds: an app with NODE_ENV=production refuses this token ` +
        `unless its JWT_MAX_LIFETIME allows it (default ${DEFAULT_JWT_MAX_LIFETIME})`,
    );
  }
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

// The timespan units jsonwebtoken accepts (through `ms`), in milliseconds: converted here, so the
// lifetime is known, and checked, before anything is signed or warned about.
const TIMESPAN = /^(\d+(?:\.\d+)?) ?([a-z]+)$/i;
const UNITS: [RegExp, number][] = [
  [/^(ms|msecs?)$/, 1],
  [/^(s|secs?|seconds?)$/, 1000],
  [/^(m|mins?|minutes?)$/, 60_000],
  [/^(h|hrs?|hours?)$/, 3_600_000],
  [/^(d|days?)$/, 86_400_000],
  [/^(w|weeks?)$/, 604_800_000],
  [/^(y|years?)$/, 31_557_600_000],
];

/** `--expires-in` in whole seconds, rounded down as jsonwebtoken rounds a timespan. */
function parseExpiresIn(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const [, amount, unit = ''] = TIMESPAN.exec(text) ?? [];
  const ms = UNITS.find(([pattern]) => pattern.test(unit.toLowerCase()))?.[1];
  if (amount === undefined || ms === undefined) {
    throw new UsageError(
      `--expires-in must be seconds or a timespan like 15m, 1h, 7d (got "${text}")`,
    );
  }
  return Math.floor((Number(amount) * ms) / 1000);
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
  loadEnvFile();
  process.exitCode = main(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
