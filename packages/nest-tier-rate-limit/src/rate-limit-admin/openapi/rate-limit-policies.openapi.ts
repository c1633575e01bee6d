import { RATE_LIMIT_ALGORITHMS } from '../../rate-limit/algorithms/rate-limit-algorithm.js';
import { RATE_LIMIT_MODES } from '../../rate-limit/rate-limit-rule.js';
import { MAX_INT4 } from '../field-rules.js';
import { RateLimitPoliciesController } from '../policies/rate-limit-policies.controller.js';
import {
  MAX_REQUEST_PATH,
  RateLimitPoliciesResponse,
  RateLimitPolicyQueryDto,
  RateLimitPolicyResponse,
  RateLimitRouteResponse,
  REQUEST_METHODS,
} from '../policies/rate-limit-policies.dto.js';
import { decorateClass, decorateMethod, decorateProperties } from './decorate.js';
import type { RateLimitAdminOpenApi } from './rate-limit-admin-open-api.js';

// Options built afresh for each field: Swagger's factories keep and may change them.

/** `path` of the queries (and, described otherwise, of the answers). */
export const pathDocs = (
  description = 'The URL path a request would have; its query is ignored',
) => ({
  type: String,
  maxLength: MAX_REQUEST_PATH,
  example: '/api/v1/widgets/42',
  description,
});
/** `tierId` of the queries; nullable in the answers. */
export const tierIdDocs = (nullable = false) => ({
  type: Number,
  nullable,
  minimum: 1,
  maximum: MAX_INT4,
  example: 2,
  description: "The caller's tier; absent (null): an anonymous caller, or one without a tier",
});
/** `method` of the queries, defaulting to GET. */
export const methodDocs = () => ({
  type: String,
  enum: [...REQUEST_METHODS],
  default: 'GET',
  example: 'GET',
});
/** `reason` of the answers. */
export const reasonDocs = () => ({
  type: String,
  nullable: true,
  enum: ['no-route', 'not-guarded', 'skipped', 'disabled', 'no-policies'],
  description:
    'Why the request is not limited: no route serves it (a 404), its route has no ' +
    '`RateLimitGuard`, it is `@SkipRateLimit()`, the limiter is off, or no policy applies. ' +
    'Null when it is limited',
});
/** `route` of the answers. */
export const routeDocs = () => ({
  type: RateLimitRouteResponse,
  nullable: true,
  description: 'The route serving the request; null when none does, or one not of Nest',
});

/** Documents `GET /rate-limit-policies`: its query, its answer and the policies in it. */
export function documentRateLimitPolicies(swagger: RateLimitAdminOpenApi): void {
  const { ApiProperty: required, ApiPropertyOptional: optional } = swagger;
  decorateProperties(RateLimitPolicyQueryDto, {
    path: required(pathDocs()),
    tierId: optional(tierIdDocs()),
    method: optional(methodDocs()),
  });
  decorateProperties(RateLimitRouteResponse, {
    method: required({
      type: String,
      example: 'GET',
      description: 'As declared; `ALL` for `@All()`',
    }),
    template: required({ type: String, example: '/api/v1/widgets/:id' }),
  });
  documentPolicy(swagger);
  const policies = { type: RateLimitPolicyResponse, isArray: true };
  decorateProperties(RateLimitPoliciesResponse, {
    method: required({ ...methodDocs(), default: undefined }),
    path: required(pathDocs('The path asked about, without its query')),
    tierId: required(tierIdDocs(true)),
    route: required(routeDocs()),
    limited: required({ type: Boolean }),
    reason: required(reasonDocs()),
    policies: required(policies),
  });
  decorateClass(RateLimitPoliciesController, swagger.ApiTags('rate-limit-policies'));
  decorateMethod(
    RateLimitPoliciesController,
    'explain',
    swagger.ApiOkResponse({
      type: RateLimitPoliciesResponse,
      description: 'The policies, as the guard would apply them; nothing is counted',
    }),
  );
}

/** One policy: what `RateLimit-Policy` tells a client, with where it comes from and its key. */
function documentPolicy(swagger: RateLimitAdminOpenApi): void {
  const { ApiProperty: required } = swagger;
  const source = {
    type: String,
    enum: ['rule', 'route', 'default'],
    description: "An operator rule, the route's `@RateLimited`, or the module's defaults",
  };
  const algorithm = { type: String, enum: [...RATE_LIMIT_ALGORITHMS] };
  const mode = {
    type: String,
    enum: [...RATE_LIMIT_MODES],
    description: '`shadow` also when the module puts every limit in shadow',
  };
  decorateProperties(RateLimitPolicyResponse, {
    name: required({
      type: String,
      example: 'pro_widget_read',
      description: "The rule's name; `route`, `default` or `total` otherwise (as in the headers)",
    }),
    source: required(source),
    limit: required({ type: Number, example: 200 }),
    period: required({ type: Number, example: 60, description: 'Seconds' }),
    algorithm: required(algorithm),
    burst: required({ type: Number, nullable: true, description: '`gcra` only; null: the limit' }),
    mode: required(mode),
    keyPath: required({
      type: String,
      example: 'api_v1_widgets_{id}',
      description: 'The path part of the counter key `ratelimit:{caller}:{keyPath}`',
    }),
  });
}
