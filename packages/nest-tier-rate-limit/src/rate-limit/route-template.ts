import { canonicalSegment } from './canonical-path.js';
import { sanitizePath, sanitizeRouteTemplate } from './rate-limit-path.js';

/** A piece of a template: literal text, a parameter (a wildcard spans segments), or a group. */
type Part = string | { param: string; wildcard: boolean } | Part[];
/** Characters a parameter value must not spell: key separators, rule placeholders, escapes. */
const RESERVED = /[%_/{}#]/;
const RESERVED_ALL = /[%_/{}#]/g;
/** Stands for a value that equals no parameter value, so that it never matches. */
const UNREMEMBERED = Symbol('unremembered');

/** A parameter's name after `:` or `*`, as Express (path-to-regexp) and Fastify spell them. */
const NAME = /^(?:"([^"]+)"|([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*))/u;

/**
 * A route template the router matched (`/api/v1/widgets/:id`), compiled once, that gives the
 * canonical path of each request it matched: the template's own literal text, whatever case or
 * encoding the request used, with each parameter value made canonical ({@link canonicalSegment})
 * and `%`, `_`, `/`, `{`, `}`, `#` in it percent-encoded, so that no value spells another path
 * (`widgets_7` for `widgets/7`) or a rule placeholder (`{id}`). A wildcard's segments are
 * canonical each, with `.` and `..` resolved inside the wildcard. Reads Express (`:id`, `*path`,
 * `{/:opt}`, `\` escapes) and Fastify (`:id`, `:id(regex)`, `:id?`, `*`, `::`) templates.
 */
export class RouteTemplate {
  /** The template in rule form (`api_v1_widgets_{id}`). */
  readonly rulePath: string;
  private readonly parts: Part[];
  /** Canonical and sanitized paths of a template without parameters: built once. */
  private readonly fixed: { path: string; sanitized: string } | undefined;
  /** What keys a route's own counters apart, per declared method: built once. */
  private readonly routeKeys = new Map<string, string>();
  /** The parameters' names, in the order {@link path} reads them. */
  private readonly names: string[];
  /** The last parameter values built, and their path: one resource asked for in a row. */
  private readonly lastValues: unknown[];
  private lastPath: string | undefined;
  private lastSanitized: string | undefined;
  private remembered = false;

  constructor(template: string) {
    this.rulePath = sanitizeRouteTemplate(template);
    this.parts = parse(template);
    const path = this.parts.every((part) => typeof part === 'string') ? this.parts.join('') : null;
    this.fixed = path === null ? undefined : { path, sanitized: sanitizePath(path) };
    this.names = paramNames(this.parts);
    this.lastValues = this.names.map(() => UNREMEMBERED);
  }

  /**
   * The canonical path of a request with these route parameters (`/api/v1/widgets/1`), or
   * `undefined` when one the template needs is missing.
   */
  path(params: unknown): string | undefined {
    if (this.fixed !== undefined) return this.fixed.path;
    const record = asRecord(params);
    if (this.remembered && this.sameValues(record)) return this.lastPath;
    const path = build(this.parts, record);
    this.remember(record, path);
    return path;
  }

  /**
   * The route part of a fallback counter's key: the method, and for a template with parameters
   * the template too (`GET@api_v1_widgets_{id}`), so that no other route's counter is the same
   * even when a value equals a sibling route's literal text (`/widgets/export`).
   */
  routeKey(method: string): string {
    let key = this.routeKeys.get(method);
    if (key === undefined) {
      key = this.fixed === undefined ? `${method}@${this.rulePath}` : method;
      this.routeKeys.set(method, key);
    }
    return key;
  }

  /** {@link path}, sanitized (`api_v1_widgets_1`). */
  sanitizedPath(path: string): string {
    if (this.fixed !== undefined) return this.fixed.sanitized;
    if (!this.remembered || path !== this.lastPath) return sanitizePath(path);
    return (this.lastSanitized ??= sanitizePath(path));
  }

  /** Whether these parameters are the last ones built: own string values, equal one by one. */
  private sameValues(params: Record<string, unknown>): boolean {
    for (let i = 0; i < this.names.length; i += 1) {
      const value = Object.hasOwn(params, this.names[i]) ? params[this.names[i]] : undefined;
      if (value !== this.lastValues[i]) return false;
    }
    return true;
  }

  private remember(params: Record<string, unknown>, path: string | undefined): void {
    this.remembered = true;
    this.lastSanitized = undefined;
    this.lastPath = path;
    for (let i = 0; i < this.names.length; i += 1) {
      const value = Object.hasOwn(params, this.names[i]) ? params[this.names[i]] : undefined;
      // Only strings (and absence) are remembered: an array could change between two requests.
      this.lastValues[i] = typeof value === 'string' || value === undefined ? value : UNREMEMBERED;
    }
  }
}

function paramNames(parts: Part[]): string[] {
  return parts.flatMap((part) => {
    if (typeof part === 'string') return [];
    return Array.isArray(part) ? paramNames(part) : [part.param];
  });
}

function parse(template: string): Part[] {
  const root: Part[] = [];
  const groups: Part[][] = [root];
  let current = root;
  for (let i = 0; i < template.length; i += 1) {
    const char = template[i];
    const name = char === ':' || char === '*' ? NAME.exec(template.slice(i + 1)) : null;
    if (char === '\\' || (char === ':' && template[i + 1] === ':')) {
      current.push(template[++i] ?? '');
    } else if (name !== null) {
      const param = { param: name[1] ?? name[2], wildcard: char === '*' };
      const end = skipRegex(template, i + name[0].length);
      const optional = template[end + 1] === '?';
      current.push(optional ? [param] : param);
      i = optional ? end + 1 : end;
    } else if (char === '*') {
      current.push({ param: '*', wildcard: true });
    } else if (char === '{') {
      groups.push((current = []));
    } else if (char === '}' && groups.length > 1) {
      const group = groups.pop()!;
      current = groups[groups.length - 1];
      current.push(group);
    } else {
      current.push(char);
    }
  }
  return merge(root);
}

/** Index of the last character of a Fastify regex (`(\\d+)`) after a name ending at `last`. */
function skipRegex(template: string, last: number): number {
  let i = last;
  let depth = 0;
  if (template[i + 1] !== '(') return i;
  do {
    i += 1;
    if (template[i] === '\\') i += 1;
    else if (template[i] === '(') depth += 1;
    else if (template[i] === ')') depth -= 1;
  } while (depth > 0 && i < template.length);
  return i;
}

/** Joins adjacent literal characters, so that building a path concatenates few strings. */
function merge(parts: Part[]): Part[] {
  const merged: Part[] = [];
  for (const part of parts) {
    const last = merged.length - 1;
    const item = Array.isArray(part) ? merge(part) : part;
    if (typeof item === 'string' && typeof merged[last] === 'string') merged[last] += item;
    else merged.push(item);
  }
  return merged;
}

/** The path of these parts, or `undefined` when a parameter is missing (drops its group). */
function build(parts: Part[], params: Record<string, unknown>): string | undefined {
  let path = '';
  for (const part of parts) {
    if (typeof part === 'string') path += part;
    else if (Array.isArray(part)) path += build(part, params) ?? '';
    else {
      // Own properties only: a parameter named `toString` must not read the prototype's.
      if (!Object.hasOwn(params, part.param) || params[part.param] === undefined) return undefined;
      const value = params[part.param];
      path += part.wildcard ? canonicalWildcard(value) : escaped(canonicalSegment(String(value)));
    }
  }
  return path;
}

/** A wildcard's segments (an array on Express, `a/b` on Fastify), canonical and resolved. */
function canonicalWildcard(value: unknown): string {
  const segments: string[] = [];
  for (const raw of Array.isArray(value) ? value.map(String) : String(value).split('/')) {
    const segment = canonicalSegment(raw);
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(escaped(segment));
  }
  return segments.join('/');
}

function escaped(value: string): string {
  if (!RESERVED.test(value)) return value;
  return value.replace(RESERVED_ALL, (char) => `%${char.charCodeAt(0).toString(16)}`);
}

function asRecord(params: unknown): Record<string, unknown> {
  return params !== null && typeof params === 'object' ? (params as Record<string, unknown>) : {};
}
