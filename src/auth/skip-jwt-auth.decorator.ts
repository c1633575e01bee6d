import { SetMetadata } from '@nestjs/common';

/** Metadata key of {@link SkipJwtAuth}. */
export const SKIP_JWT_AUTH = 'demo:skip-jwt-auth';

/**
 * Leaves a route's `Authorization` header to the route itself: `JwtAuthGuard` reads no token
 * there (the metrics endpoint takes a bearer token that is no JWT).
 */
export const SkipJwtAuth = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_JWT_AUTH, true);
