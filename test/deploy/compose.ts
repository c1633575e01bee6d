import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../support/demo-build.js';

/** The parts of a Compose service these tests read. */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: (string | { type?: string; source?: string; target: string })[];
}

/** The root `docker-compose.yml`, parsed (no interpolation). */
export function readCompose(): { services: Record<string, ComposeService> } {
  const text = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
  return parse(text) as { services: Record<string, ComposeService> };
}

/** A service's `environment`, map or list form, as a map of raw (uninterpolated) values. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const { environment = {} } = service;
  const entries = Array.isArray(environment)
    ? environment.map((item) => {
        const [key = '', ...value] = item.split('=');
        return [key, value.join('=')] as const;
      })
    : Object.entries(environment).map(([key, value]) => [key, String(value ?? '')] as const);
  return Object.fromEntries(entries);
}

/**
 * Compose's interpolation of `value` with the caller's `variables`: `$$`, `$NAME`, `${NAME}`,
 * `${NAME:-default}` / `${NAME-default}`, `${NAME:?message}` / `${NAME?message}` (the `:` forms
 * also treat an empty value as unset).
 * @throws Error with the message when a required variable is missing, as `docker compose` does
 */
export function interpolate(value: string, variables: Record<string, string | undefined>): string {
  const pattern = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g;
  return value.replace(pattern, (whole: string, ...groups: (string | undefined)[]) => {
    if (whole === '$$') return '$';
    const [braced, colon, op, arg = '', bare] = groups;
    const name = braced ?? bare ?? '';
    const given = variables[name];
    if (given !== undefined && !(colon === ':' && given === '')) return given;
    if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return op === '-' ? arg : '';
  });
}

/** A `ports` entry as host address, host port and container port. */
export function publishedPort(entry: NonNullable<ComposeService['ports']>[number]) {
  if (typeof entry === 'object') {
    return {
      hostIp: entry.host_ip,
      published: String(entry.published ?? ''),
      target: entry.target,
    };
  }
  const parts = String(entry).split(':');
  const target = Number(parts.at(-1)!.split('/')[0]);
  if (parts.length === 1) return { hostIp: undefined, published: '', target };
  if (parts.length === 2) return { hostIp: undefined, published: parts[0], target };
  return { hostIp: parts.slice(0, -2).join(':'), published: parts.at(-2)!, target };
}
