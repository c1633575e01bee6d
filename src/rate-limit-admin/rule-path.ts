import { BadRequestException } from '@nestjs/common';
import { requestPath, sanitizeRouteTemplate } from '../rate-limit/index.js';

/**
 * The stored form of a rule path given as `/api/v1/x`, `api_v1_x` or a template
 * (`/api/v1/x/{id}`, `/api/v1/x/:id`): sanitized, `:param` as `{param}`.
 * @throws BadRequestException naming `path` when nothing is left
 * @example normalizeRulePath('/api/v1/widgets/:id') // 'api_v1_widgets_{id}'
 */
export function normalizeRulePath(path: string): string {
  const normalized = sanitizeRouteTemplate(requestPath(path));
  if (normalized === '') throw new BadRequestException(['path must name a route, not only "/"']);
  return normalized;
}
