import {
  CreateTierDto,
  MAX_TIER_DESCRIPTION,
  MAX_TIER_NAME,
  TierResponse,
  UpdateTierDto,
} from '../tiers/tier.dto.js';
import { TiersController } from '../tiers/tiers.controller.js';
import { decorateClass, decorateMethod, decorateProperties } from './decorate.js';
import type { RateLimitAdminOpenApi } from './rate-limit-admin-open-api.js';
import { adminControllerDocs, pageSchema, superuserWriteDocs } from './shared.openapi.js';

const NAME = { minLength: 1, maxLength: MAX_TIER_NAME, example: 'pro' };
const DESCRIPTION = {
  maxLength: MAX_TIER_DESCRIPTION,
  nullable: true,
  example: 'Paying customers',
};

/** Documents the `/tiers` DTOs and routes. */
export function documentTiers(swagger: RateLimitAdminOpenApi): void {
  const { ApiProperty: required, ApiPropertyOptional: optional } = swagger;
  decorateProperties(CreateTierDto, { name: required(NAME), description: optional(DESCRIPTION) });
  decorateProperties(UpdateTierDto, { name: optional(NAME), description: optional(DESCRIPTION) });
  // No validator is left on these fields to emit `design:type`: the types are spelled out.
  decorateProperties(TierResponse, {
    id: required({ type: Number, example: 2 }),
    name: required({ ...NAME, type: String }),
    description: required({ ...DESCRIPTION, type: String }),
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
  const one = () => ({ type: TierResponse });
  decorateClass(TiersController, ...adminControllerDocs(swagger, 'tiers'));
  decorateMethod(TiersController, 'list', ok({ schema: pageSchema(TierResponse) }));
  decorateMethod(
    TiersController,
    'get',
    ok(one()),
    notFound({ description: 'No live tier has this name' }),
  );
  decorateMethod(
    TiersController,
    'create',
    ...write(),
    swagger.ApiCreatedResponse(one()),
    conflict({ description: 'The name is taken' }),
  );
  decorateMethod(
    TiersController,
    'update',
    ...write(),
    ok(one()),
    notFound(),
    conflict({ description: 'The new name is taken' }),
  );
  decorateMethod(
    TiersController,
    'remove',
    ...write(),
    swagger.ApiNoContentResponse({ description: 'Soft-deleted' }),
    notFound(),
    conflict({ description: 'Live rate limits still use the tier (named in the message)' }),
  );
}
