import { sanitizePath, TOTAL_KEY_PATH } from '../rate-limit/index.js';

/**
 * Whether a rule path is a tier's total budget across every guarded route: `*`, or a spelling
 * that sanitizes to it (`/*`). Such a rule never matches a request path by itself.
 */
export function isTotalPath(path: string): boolean {
  return sanitizePath(path) === TOTAL_KEY_PATH;
}

/**
 * Why a stored (sanitized) rule path cannot be kept: it holds `*` beside other characters
 * (`*x`, `a*b`). `*` is the total budget on its own and no wildcard inside a path. The message
 * starts with the field's name; `undefined` when the path is fine.
 * @example strayWildcardProblem('api_*') // 'path may hold "*" only alone, …'
 */
export function strayWildcardProblem(stored: string): string | undefined {
  if (!stored.includes(TOTAL_KEY_PATH) || stored === TOTAL_KEY_PATH) return undefined;
  const why = `for the tier's total budget across every route`;
  return `path may hold "${TOTAL_KEY_PATH}" only alone, ${why}`;
}
