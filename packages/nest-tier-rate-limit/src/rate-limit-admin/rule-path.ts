import { BadRequestException } from '@nestjs/common';
import { requestPath, sanitizeRouteTemplate } from '../rate-limit/index.js';
import { strayWildcardProblem } from '../rate-limit-rules/index.js';

const DANGLING_COLON = /:(?![A-Za-z0-9_])/;

/**
 * The stored form of a rule path given as `/api/v1/x`, `api_v1_x` or a template
 * (`/api/v1/x/{id}`, `/api/v1/x/:id`): sanitized, `:param` as `{param}`. `*` (or `/*`) is kept
 * as `*`, the tier's total budget across every guarded route.
 * @throws BadRequestException naming `path` when nothing is left, a `:` names no parameter or a
 * `*` stands beside other characters
 * @example normalizeRulePath('/api/v1/widgets/:id') // 'api_v1_widgets_{id}'
 */
export function normalizeRulePath(path: string): string {
  const given = requestPath(path);
  // `:` starts a parameter name; a dangling one would read differently once stored (`a/:/b` →
  // `a_:_b`, which written back becomes `a_{_b}`).
  if (DANGLING_COLON.test(given)) {
    throw new BadRequestException(['path must use ":" only to start a parameter name']);
  }
  const normalized = sanitizeRouteTemplate(given);
  if (normalized === '') throw new BadRequestException(['path must name a route, not only "/"']);
  const wildcard = strayWildcardProblem(normalized);
  if (wildcard !== undefined) throw new BadRequestException([wildcard]);
  return normalized;
}
