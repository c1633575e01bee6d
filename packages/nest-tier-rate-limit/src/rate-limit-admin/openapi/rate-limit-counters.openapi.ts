import { RateLimitCountersController } from '../counters/rate-limit-counters.controller.js';
import {
  RateLimitCounterQueryDto,
  RateLimitCounterResponse,
  RateLimitCountersRequest,
  RateLimitCountersResetResponse,
  RateLimitCountersResponse,
} from '../counters/rate-limit-counters.dto.js';
import type {
  RateLimitPolicyQueryDto,
  RateLimitPolicyResponse,
} from '../policies/rate-limit-policies.dto.js';
import { decorateClass, decorateMethod, decorateProperties } from './decorate.js';
import type { RateLimitAdminOpenApi } from './rate-limit-admin-open-api.js';
import {
  methodDocs,
  pathDocs,
  reasonDocs,
  routeDocs,
  tierIdDocs,
} from './rate-limit-policies.openapi.js';
import { superuserWriteDocs } from './shared.openapi.js';

/** The fields a class adds to its parent's: each documented once, on the class declaring it. */
type Own<T, Parent> = Omit<T, keyof Parent>;

const callerDocs = () => ({
  type: String,
  example: 'user:42',
  description:
    'Whose counters, as the key names them: `user:<id>` (the id the caller resolver reads) or ' +
    '`ip:<address>` (an anonymous caller; IPv6 grouped by the module subnet, `2001:db8::/64` ' +
    'accepted as well). `tierId` goes with a user only',
});
const nullableCount = (example: number, description?: string) => ({
  type: Number,
  nullable: true,
  example,
  description,
});

/**
 * Documents `GET` and `DELETE /rate-limit-counters` (after `documentRateLimitPolicies`, whose
 * classes these extend): their query, their answers, and their superuser access.
 */
export function documentRateLimitCounters(swagger: RateLimitAdminOpenApi): void {
  const { ApiProperty: required } = swagger;
  decorateProperties<Own<RateLimitCounterQueryDto, RateLimitPolicyQueryDto>>(
    RateLimitCounterQueryDto,
    { caller: required(callerDocs()) },
  );
  decorateProperties(RateLimitCountersRequest, {
    method: required({ ...methodDocs(), default: undefined }),
    path: required(pathDocs('The path asked about, without its query')),
    caller: required(callerDocs()),
    tierId: required(tierIdDocs(true)),
    route: required(routeDocs()),
  });
  decorateProperties<Own<RateLimitCounterResponse, RateLimitPolicyResponse>>(
    RateLimitCounterResponse,
    {
      key: required({ type: String, example: 'ratelimit:{user:42}:api_v1_widgets_{id}' }),
      count: required(
        nullableCount(
          3,
          'Requests in the window (GCRA: requests its cell still holds); null when the store ' +
            'cannot read it without counting',
        ),
      ),
      remaining: required(nullableCount(197)),
      resetSeconds: required(nullableCount(41)),
      readError: required({ type: String, nullable: true, description: 'Why a value is null' }),
    },
  );
  const counters = { type: RateLimitCounterResponse, isArray: true };
  decorateProperties<Own<RateLimitCountersResponse, RateLimitCountersRequest>>(
    RateLimitCountersResponse,
    {
      limited: required({ type: Boolean }),
      reason: required(reasonDocs()),
      policies: required(counters),
    },
  );
  const keys = {
    type: String,
    isArray: true,
    description: 'The keys cleared: the next request on each starts afresh',
  };
  decorateProperties<Own<RateLimitCountersResetResponse, RateLimitCountersRequest>>(
    RateLimitCountersResetResponse,
    { reset: required(keys) },
  );
  documentRoutes(swagger);
}

function documentRoutes(swagger: RateLimitAdminOpenApi): void {
  const { ApiOkResponse: ok } = swagger;
  // Fresh decorators for each method: Swagger's factories keep and mutate them.
  const storeDown = () =>
    swagger.ApiServiceUnavailableResponse({
      description: 'The rate-limit store cannot be reached; nothing was read or reset',
    });
  decorateClass(RateLimitCountersController, swagger.ApiTags('rate-limit-counters'));
  decorateMethod(
    RateLimitCountersController,
    'read',
    ...superuserWriteDocs(swagger),
    ok({ type: RateLimitCountersResponse, description: 'Read without counting a request' }),
    storeDown(),
  );
  decorateMethod(
    RateLimitCountersController,
    'reset',
    ...superuserWriteDocs(swagger),
    ok({ type: RateLimitCountersResetResponse }),
    storeDown(),
  );
}
