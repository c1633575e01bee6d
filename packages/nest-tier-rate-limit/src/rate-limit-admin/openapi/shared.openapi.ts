import { MAX_ITEMS_PER_PAGE, MAX_PAGE, PaginationQueryDto } from '../pagination.js';
import { decorateProperties } from './decorate.js';
import type {
  OpenApiClass,
  RateLimitAdminOpenApi,
  RateLimitAdminSchema,
} from './rate-limit-admin-open-api.js';

/** Describes a page of `item` (see `Page`) for OpenAPI. */
export function pageSchema(item: OpenApiClass): RateLimitAdminSchema {
  return {
    type: 'object',
    properties: {
      data: { type: 'array', items: { $ref: `#/components/schemas/${item.name}` } },
      totalCount: { type: 'integer' },
      hasMore: { type: 'boolean' },
      page: { type: 'integer' },
      itemsPerPage: { type: 'integer' },
    },
  };
}

/** Documents `?page=&itemsPerPage=` of the list routes. */
export function documentPagination(swagger: RateLimitAdminOpenApi): void {
  decorateProperties(PaginationQueryDto, {
    page: swagger.ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
    itemsPerPage: swagger.ApiPropertyOptional({
      minimum: 1,
      maximum: MAX_ITEMS_PER_PAGE,
      default: 10,
    }),
  });
}

/**
 * The class decorators of an admin controller: its tag, and the 503 of `AnswersServiceUnavailable`
 * (every route has it).
 */
export function adminControllerDocs(swagger: RateLimitAdminOpenApi, tag: string): ClassDecorator[] {
  return [
    swagger.ApiTags(tag),
    swagger.ApiServiceUnavailableResponse({
      description: 'The rules database cannot be reached; retry after `Retry-After` seconds',
    }),
  ];
}

/** What `SuperuserWrite` means to a client: a bearer token, else 401; a superuser's, else 403. */
export function superuserWriteDocs(swagger: RateLimitAdminOpenApi): MethodDecorator[] {
  return [
    swagger.ApiBearerAuth(),
    swagger.ApiUnauthorizedResponse(),
    swagger.ApiForbiddenResponse(),
  ];
}
