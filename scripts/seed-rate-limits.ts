/**
 * Creates or updates rate-limit rules (by name) from a JSON file, after running pending
 * migrations: `node dist/scripts/seed-rate-limits.js [rules.json]`. See {@link USAGE}. Reads
 * `.env` as the server does (the process environment wins) and validates `DATABASE_URL` and
 * `PGLITE_DATA_DIR` as the server does, so it seeds the server's database.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { DataSource, type EntityManager } from 'typeorm';
import {
  buildDataSourceOptions,
  type DatabaseSettings,
} from '../src/database/data-source-options.js';
import { validateEnv } from '../src/config/env.validation.js';
import { loadEnvFile } from '../src/config/load-env-file.js';
import {
  countingProblem,
  type RateLimitAlgorithm,
  sanitizeRouteTemplate,
} from 'nest-tier-rate-limit';
import { LIVE_RULE_PER_PERIOD_INDEX, strayWildcardProblem } from 'nest-tier-rate-limit/rules';

/** Usage text printed by `--help`. */
export const USAGE = `Usage: node dist/scripts/seed-rate-limits.js [rules.json]
Creates or updates rules by name (idempotent); without a file, seeds the example rules.
The file is a JSON array of {"tier", "name", "path", "limit", "period"}, with "algorithm" and
"burst" optional:
  [{ "tier": "free", "name": "free_widgets_create", "path": "/api/v1/widgets", "limit": 10, "period": 60 }]
tier: the name of a live tier; path: a URL path or template (/api/v1/widgets/:id), or * for the
tier's total budget across every route; limit: requests per period; period: seconds (one live rule
per tier, path and period: several periods of one path all apply); algorithm: fixed-window (default), sliding-window or gcra; burst:
gcra only, requests that may pass at once (default: the limit). Database: DATABASE_URL, else PGlite in PGLITE_DATA_DIR (./data/).
Reads .env in the current directory as the server does; the process environment wins over it.`;

/** One rule to create or update; `path` already sanitized. */
export interface RuleSeed {
  tier: string;
  name: string;
  path: string;
  limit: number;
  period: number;
  algorithm: RateLimitAlgorithm;
  burst: number | null;
}

/** What was done to one rule. */
export interface SeedOutcome {
  action: 'created' | 'updated' | 'unchanged';
  rule: RuleSeed;
}

/** The built-in list: the rules of the original design's seeding SQL (creating widgets). */
export const EXAMPLE_RULES: readonly RuleSeed[] = [
  { tier: 'free', name: 'free_widgets_create', path: 'api_v1_widgets', limit: 10, period: 60 },
  { tier: 'pro', name: 'pro_widgets_create', path: 'api_v1_widgets', limit: 100, period: 60 },
].map((rule): RuleSeed => ({ ...rule, algorithm: 'fixed-window', burst: null }));

/** A bad rules file or entry; the message names the entry and the field. */
export class RuleSeedError extends Error {}

const FIELDS = ['tier', 'name', 'path', 'limit', 'period', 'algorithm', 'burst'];
const isText = (max: number) => (v: unknown) =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
// PostgreSQL `integer` tops out at 2^31 - 1.
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) > 0 && (v as number) < 2 ** 31;

/**
 * Validates parsed JSON as a list of rules and sanitizes their paths.
 * @throws RuleSeedError naming the first bad entry and field, or a name given twice.
 */
export function parseRuleSeeds(json: unknown): RuleSeed[] {
  if (!Array.isArray(json)) throw new RuleSeedError('rules: must be a JSON array of rules');
  const rules = json.map((entry: unknown, index) => parseRule(entry, `rules[${index}]`));
  const twice = rules.findIndex((rule, i) => rules.findIndex((r) => r.name === rule.name) < i);
  if (twice < 0) return rules;
  throw new RuleSeedError(`rules[${twice}].name: "${rules[twice].name}" given twice`);
}

function parseRule(entry: unknown, at: string): RuleSeed {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new RuleSeedError(`${at}: must be an object`);
  }
  const value = entry as Record<string, unknown>;
  const unknown = Object.keys(value).find((key) => !FIELDS.includes(key));
  if (unknown) throw new RuleSeedError(`${at}.${unknown}: unknown field`);
  const get = <T>(key: string, ok: (v: unknown) => boolean, rule: string, v = value[key]): T => {
    if (ok(v)) return v as T;
    throw new RuleSeedError(`${at}.${key}: must be ${rule} (got ${JSON.stringify(v)})`);
  };
  const path = sanitizeRouteTemplate(get('path', isText(255), 'a string of 1-255 characters'));
  if (!path) throw new RuleSeedError(`${at}.path: must be a path, not only slashes`);
  const wildcard = strayWildcardProblem(path);
  if (wildcard !== undefined) throw new RuleSeedError(`${at}.${wildcard.replace(' ', ': ')}`);
  const algorithm = (value.algorithm ?? 'fixed-window') as RateLimitAlgorithm;
  const burst = (value.burst ?? null) as number | null;
  // "algorithm must be one of …" / "burst applies to …": the first word names the field.
  const problem = countingProblem(algorithm, burst);
  if (problem !== undefined) {
    const field = problem.slice(0, problem.indexOf(' '));
    throw new RuleSeedError(`${at}.${field}: ${problem.slice(field.length + 1)}`);
  }
  return {
    tier: get('tier', isText(50), 'a tier name (1-50 characters)'),
    name: get('name', isText(100), 'a string of 1-100 characters'),
    path,
    limit: get('limit', isCount, 'a positive integer'),
    period: get('period', isCount, 'a positive integer'),
    algorithm,
    burst,
  };
}

/**
 * Creates or updates each rule by name among live rules, in one transaction (all or nothing).
 * @throws RuleSeedError for an unknown (or deleted) tier, or a (tier, path, period) another live
 * rule has.
 */
export async function upsertRules(
  dataSource: DataSource,
  rules: readonly RuleSeed[],
): Promise<SeedOutcome[]> {
  return dataSource.transaction(async (manager) => {
    const outcomes: SeedOutcome[] = [];
    for (const rule of rules) outcomes.push({ action: await upsertRule(manager, rule), rule });
    return outcomes;
  });
}

// Updates only when something differs (no row back: unchanged); xmax is 0 on an inserted row.
const UPSERT = `INSERT INTO rate_limits AS r (tier_id, name, path, "limit", period, algorithm, burst)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (name) WHERE deleted_at IS NULL DO UPDATE
  SET tier_id = $1, path = $3, "limit" = $4, period = $5, algorithm = $6, burst = $7,
    updated_at = now()
  WHERE (r.tier_id, r.path, r."limit", r.period, r.algorithm, r.burst)
    IS DISTINCT FROM ($1, $3, $4, $5, $6, $7::integer)
  RETURNING (xmax = 0) AS created`;

async function upsertRule(manager: EntityManager, rule: RuleSeed): Promise<SeedOutcome['action']> {
  // FOR SHARE, as the admin API's rule writes: a tier delete waits for this seed, then sees its rules.
  const query = `SELECT id FROM tiers WHERE deleted_at IS NULL AND name = $1 FOR SHARE`;
  const [tier] = await manager.query<{ id: number }[]>(query, [rule.tier]);
  if (!tier) throw new RuleSeedError(`rule "${rule.name}": unknown tier "${rule.tier}"`);
  try {
    const { name, path, limit, period, algorithm, burst } = rule;
    const params = [tier.id, name, path, limit, period, algorithm, burst];
    const rows = await manager.query<{ created: boolean }[]>(UPSERT, params);
    if (rows.length === 0) return 'unchanged';
    return rows[0].created ? 'created' : 'updated';
  } catch (error) {
    if ((error as { constraint?: string }).constraint !== LIVE_RULE_PER_PERIOD_INDEX) throw error;
    const taken = `tier "${rule.tier}" already has another live rule for "${rule.path}" and period ${rule.period}`;
    throw new RuleSeedError(`rule "${rule.name}": ${taken}`);
  }
}

/**
 * Runs pending migrations, then upserts the rules of `file` (or {@link EXAMPLE_RULES}).
 * @throws RuleSeedError on a bad file, entry or tier; the database is then left unchanged.
 */
export async function seedRateLimits(
  file: string | undefined,
  settings: DatabaseSettings,
): Promise<SeedOutcome[]> {
  const rules = file ? parseRuleSeeds(await readJson(file)) : [...EXAMPLE_RULES];
  const dataSource = await new DataSource(buildDataSourceOptions(settings)).initialize();
  try {
    await dataSource.runMigrations({ transaction: 'all' });
    return await upsertRules(dataSource, rules);
  } finally {
    await dataSource.destroy();
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RuleSeedError(`${file}: ${(error as Error).message}`);
  }
}

/** One line per rule, as printed by the script. */
export function describeOutcome({ action, rule }: SeedOutcome): string {
  const counting =
    rule.algorithm === 'fixed-window'
      ? ''
      : `, ${rule.algorithm}${rule.burst === null ? '' : ` burst ${rule.burst}`}`;
  return `${action} ${rule.name} (tier ${rule.tier}, ${rule.path}: ${rule.limit} per ${rule.period}s${counting})`;
}

/**
 * Runs the command line: prints one line per rule (or the usage) and resolves to the exit
 * status: 0, 1 on a bad file, entry, tier, database setting or database error, 2 on a usage error.
 */
export async function main(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  if (args.includes('--help') || args.includes('-h') || args.length > 1) {
    (args.length > 1 ? io.err : io.out)(USAGE);
    return args.length > 1 ? 2 : 0;
  }
  try {
    const { DATABASE_URL, PGLITE_DATA_DIR } = env;
    const { databaseUrl, pgliteDataDir } = validateEnv({ DATABASE_URL, PGLITE_DATA_DIR });
    const outcomes = await seedRateLimits(args[0], { databaseUrl, pgliteDataDir });
    outcomes.forEach((outcome) => io.out(describeOutcome(outcome)));
    return 0;
  } catch (error) {
    io.err(`seed-rate-limits: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  loadEnvFile();
  process.exitCode = await main(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
