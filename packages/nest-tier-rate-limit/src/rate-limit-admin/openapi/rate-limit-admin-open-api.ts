/** A class, as the OpenAPI decorators receive it (a DTO, a controller, a response type). */
export type OpenApiClass = abstract new (...args: never[]) => unknown;

/** The schema keywords the admin API documents its DTO fields with (`@ApiProperty()` options). */
export interface RateLimitAdminPropertyOptions {
  /** Set where the field has no decorator left to emit `design:type` (the response classes). */
  type?: OpenApiClass;
  description?: string;
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
}

/** An inline OpenAPI schema (a page of records). */
export interface RateLimitAdminSchema {
  type?: string;
  $ref?: string;
  items?: RateLimitAdminSchema;
  properties?: Record<string, RateLimitAdminSchema>;
}

/** The options the admin API passes to `@ApiOkResponse()` and the other response decorators. */
export interface RateLimitAdminResponseOptions {
  description?: string;
  type?: OpenApiClass;
  schema?: RateLimitAdminSchema;
}

/** A response decorator factory of Nest's Swagger (`ApiOkResponse`, `ApiNotFoundResponse`…). */
export type ResponseDecoratorFactory = (
  options?: RateLimitAdminResponseOptions,
) => MethodDecorator & ClassDecorator;

/**
 * The decorator factories of Nest's Swagger package that the admin API's documentation uses,
 * described here so that the package never imports Swagger: a host passes its own. The Swagger
 * package's namespace (`import * as swagger`) satisfies it as is.
 * @example documentRateLimitAdmin(swagger)
 */
export interface RateLimitAdminOpenApi {
  ApiProperty: (options?: RateLimitAdminPropertyOptions) => PropertyDecorator;
  ApiPropertyOptional: (options?: RateLimitAdminPropertyOptions) => PropertyDecorator;
  ApiTags: (...tags: string[]) => MethodDecorator & ClassDecorator;
  ApiBearerAuth: (name?: string) => MethodDecorator & ClassDecorator;
  ApiOkResponse: ResponseDecoratorFactory;
  ApiCreatedResponse: ResponseDecoratorFactory;
  ApiNoContentResponse: ResponseDecoratorFactory;
  ApiUnauthorizedResponse: ResponseDecoratorFactory;
  ApiForbiddenResponse: ResponseDecoratorFactory;
  ApiNotFoundResponse: ResponseDecoratorFactory;
  ApiConflictResponse: ResponseDecoratorFactory;
  ApiServiceUnavailableResponse: ResponseDecoratorFactory;
}
