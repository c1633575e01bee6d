import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { PROJECT_ROOT } from '../support/demo-build.js';

/** One `.dockerignore` line: the pattern as a regular expression, and whether it is a `!`. */
interface Rule {
  pattern: string;
  regex: RegExp;
  negated: boolean;
}

/** The root `.dockerignore`, as a predicate on context paths (`src/main.ts`). */
export function readDockerignore(): { patterns: string[]; ignores: (path: string) => boolean } {
  const text = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8');
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(toRule);
  return { patterns: rules.map((rule) => rule.pattern), ignores: (path) => ignores(rules, path) };
}

// Docker's matching: patterns are cleaned paths from the context root; `*` and `?` stop at `/`,
// `**` spans directories; the last matching rule wins; a directory's exclusion covers its files.
function toRule(line: string): Rule {
  const negated = line.startsWith('!');
  const pattern = posix.normalize(line.slice(negated ? 1 : 0).trim()).replace(/^\/+|\/+$/g, '');
  const source = pattern
    .split(/(\*\*\/|\*\*|\*|\?)/)
    .map((part) => {
      if (part === '**/') return '(?:.*/)?';
      if (part === '**') return '.*';
      if (part === '*') return '[^/]*';
      if (part === '?') return '[^/]';
      return part.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { pattern, regex: new RegExp(`^${source}$`), negated };
}

function ignores(rules: Rule[], path: string): boolean {
  const segments = posix
    .normalize(path)
    .replace(/^\.\/|\/+$/g, '')
    .split('/');
  // Every ancestor, then the path itself: an excluded directory excludes what is inside it.
  const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const prefix of prefixes) {
    for (const rule of rules) if (rule.regex.test(prefix)) ignored = !rule.negated;
  }
  return ignored;
}
