import { BadRequestException } from '@nestjs/common';
import { requestPath, sanitizeRouteTemplate } from '../rate-limit/index.js';

const DANGLING_COLON = /:(?![A-Za-z0-9_])/;

/**
 * The stored form of a rule path given as `/api/v1/x`, `api_v1_x` or a template
 * (`/api/v1/x/{id}`, `/api/v1/x/:id`): sanitized, `:param` as `{param}`.
 * @throws BadRequestException naming `path` when nothing is left or a `:` names no parameter
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
  return normalized;
}
