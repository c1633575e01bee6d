import { RATE_LIMIT_ALGORITHMS } from '../../rate-limit/algorithms/rate-limit-algorithm.js';
import { RATE_LIMIT_MODES } from '../../rate-limit/rate-limit-rule.js';
import { MAX_INT4 } from '../field-rules.js';
import {
  CreateRateLimitDto,
  MAX_LIMIT,
  MAX_PATH,
  MAX_PERIOD,
  RateLimitResponse,
  UpdateRateLimitDto,
} from '../rate-limits/rate-limit.dto.js';
import { MAX_RULE_NAME_LENGTH } from '../rate-limits/default-rule-name.js';
import { RateLimitsController } from '../rate-limits/rate-limits.controller.js';
import { decorateClass, decorateMethod, decorateProperties } from './decorate.js';
import type { RateLimitAdminOpenApi } from './rate-limit-admin-open-api.js';
import { adminControllerDocs, pageSchema, superuserWriteDocs } from './shared.openapi.js';

const NAME = { minLength: 1, maxLength: MAX_RULE_NAME_LENGTH, example: 'pro_widgets_create' };
const DEFAULT_NAME = {
  ...NAME,
  description:
    'Unique among live rules. Absent: `{tier}_{path}`, or `{tier}_{path}_{period}s` when that ' +
    'name is taken (another period of the path)',
};
const TIER_ID = { minimum: 1, maximum: MAX_INT4, example: 2 };
const PATH = {
  maxLength: MAX_PATH,
  example: '/api/v1/widgets/{id}',
  description:
    'As `/api/v1/x`, `api_v1_x` or a template (`/api/v1/x/{id}`, `/api/v1/x/:id`); stored ' +
    "sanitized. `*` alone is the tier's total budget across every guarded route (counted on " +
    '`ratelimit:{caller}:*`); no other path may hold `*`. One live rule per tier, path and ' +
    'period: several periods of one path all apply',
};
const LIMIT = { minimum: 1, maximum: MAX_LIMIT, example: 100 };
const PERIOD = { minimum: 1, maximum: MAX_PERIOD, example: 60, description: 'Seconds' };
const ALGORITHM = {
  type: String,
  enum: [...RATE_LIMIT_ALGORITHMS],
  default: 'fixed-window',
  example: 'sliding-window',
  description: 'How requests are counted (README, "Counting algorithms")',
};
const BURST = {
  type: Number,
  nullable: true,
  minimum: 1,
  maximum: MAX_LIMIT,
  example: 20,
  description: '`gcra` only: requests that may pass at once after a pause; null: the limit',
};

const MODE = {
  type: String,
  enum: [...RATE_LIMIT_MODES],
  default: 'enforce',
  example: 'shadow',
  description:
    '`enforce` refuses over the limit; `shadow` counts and reports (headers, metrics, a sampled ' +
    'log line) but never refuses',
};

/** Documents the `/rate-limits` DTOs and routes. */
export function documentRateLimits(swagger: RateLimitAdminOpenApi): void {
  const { ApiProperty: required, ApiPropertyOptional: optional } = swagger;
  decorateProperties(CreateRateLimitDto, {
    name: optional(DEFAULT_NAME),
    tierId: required(TIER_ID),
    path: required(PATH),
    limit: required(LIMIT),
    period: required(PERIOD),
    algorithm: optional(ALGORITHM),
    burst: optional(BURST),
    mode: optional(MODE),
  });
  decorateProperties(UpdateRateLimitDto, {
    name: optional(NAME),
    tierId: optional(TIER_ID),
    path: optional(PATH),
    limit: optional(LIMIT),
    period: optional(PERIOD),
    algorithm: optional(ALGORITHM),
    burst: optional(BURST),
    mode: optional(MODE),
  });
  // No validator is left on these fields to emit `design:type`: the types are spelled out.
  decorateProperties(RateLimitResponse, {
    id: required({ type: Number, example: 7 }),
    name: required({ ...NAME, type: String }),
    tierId: required({ ...TIER_ID, type: Number }),
    path: required({
      type: String,
      example: 'api_v1_widgets_{id}',
      description: "Sanitized; `*`: the tier's total budget across every guarded route",
    }),
    limit: required({ ...LIMIT, type: Number }),
    period: required({ ...PERIOD, type: Number }),
    algorithm: required(ALGORITHM),
    burst: required(BURST),
    mode: required(MODE),
    createdAt: required({ type: Date }),
    updatedAt: required({ type: Date }),
  });
  documentRoutes(swagger);
}

function documentRoutes(swagger: RateLimitAdminOpenApi): void {
  const {
    ApiOkResponse: ok,
    ApiNotFoundResponse: notFound,
    ApiConflictResponse: conflict,
  } = swagger;
  // Fresh decorators and options for each method: Swagger's factories keep and mutate them.
  const write = () => superuserWriteDocs(swagger);
  const one = () => ({ type: RateLimitResponse });
  decorateClass(RateLimitsController, ...adminControllerDocs(swagger, 'rate-limits'));
  decorateMethod(RateLimitsController, 'list', ok({ schema: pageSchema(RateLimitResponse) }));
  decorateMethod(
    RateLimitsController,
    'get',
    ok(one()),
    notFound({ description: 'No live rule has this name' }),
  );
  decorateMethod(
    RateLimitsController,
    'create',
    ...write(),
    swagger.ApiCreatedResponse(one()),
    notFound({ description: 'The tier does not exist or is deleted' }),
    conflict({
      description:
        'The name is taken, or the tier has a live rule for this path and period (named in the message)',
    }),
  );
  decorateMethod(
    RateLimitsController,
    'update',
    ...write(),
    ok(one()),
    notFound({ description: 'No such rule, or the new tier does not exist' }),
    conflict({
      description:
        'The new name is taken, or another live rule has the new tier, path and period (named in the message)',
    }),
  );
  decorateMethod(
    RateLimitsController,
    'remove',
    ...write(),
    swagger.ApiNoContentResponse({ description: 'Soft-deleted; the defaults apply again' }),
    notFound(),
  );
}
