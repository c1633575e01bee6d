import { applyDecorators, RequestMethod } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length, Matches, ValidateBy } from 'class-validator';
import {
  type RateLimitAlgorithm,
  type RateLimitMode,
  type RateLimitSource,
  requestPath,
} from '../../rate-limit/index.js';
import { IsWellFormedText } from '../dto-text.js';
import { IsIntBetween, MAX_INT4 } from '../field-rules.js';
import { OptionalNonNull } from '../optional-non-null.js';
import type { RateLimitExemption } from './rate-limit-policy-explainer.js';

/** Longest `path` asked about: longer than any route template, shorter than any URL limit. */
export const MAX_REQUEST_PATH = 2048;

/** The methods a request can be asked about: Nest's `RequestMethod` names but `ALL`. */
export const REQUEST_METHODS: readonly string[] = Object.keys(RequestMethod).filter(
  (name) => Number.isNaN(Number(name)) && name !== 'ALL',
);

/** A URL path as a client sends it: from `/`, no spaces or controls, escapes that decode. */
const IsRequestPath = () =>
  applyDecorators(
    IsString(),
    Length(1, MAX_REQUEST_PATH),
    Matches(/^\/[^\s\p{Cc}]*$/u, {
      message: 'path must be a URL path starting with "/", without spaces or control characters',
    }),
    IsWellFormedText(),
    ValidateBy({
      name: 'isDecodablePath',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || decodes(requestPath(value)),
        defaultMessage: () => 'path must not hold a malformed percent-encoding',
      },
    }),
  );

/** A tier id as a query string has it: decimal digits only (`0x10`, `1e1`, ` 2` stay text). */
const ToTierId = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value,
  );

/** `?path=&tierId=&method=` of `GET /rate-limit-policies`. */
export class RateLimitPolicyQueryDto {
  /** The URL path a request would have (`/api/v1/widgets/42`); a query string is ignored. */
  @IsRequestPath()
  path!: string;

  /** The caller's tier; absent: an anonymous caller (or one without a tier). */
  @OptionalNonNull()
  @ToTierId()
  @IsIntBetween(1, MAX_INT4)
  tierId?: number;

  /** The request's method, in upper case. @default 'GET' */
  @OptionalNonNull()
  @IsIn(REQUEST_METHODS, { message: `method must be one of ${REQUEST_METHODS.join(', ')}` })
  method?: string;
}

/** The route that serves a request. */
export class RateLimitRouteResponse {
  /** As declared: `GET`, or `ALL` for `@All()`. */
  method!: string;
  /** The full template as the router has it (`/api/v1/widgets/:id`). */
  template!: string;
}

/** One policy a request falls under. */
export class RateLimitPolicyResponse {
  /** The rule's name for an operator rule; `route`, `default` or `total` otherwise. */
  name!: string;
  source!: RateLimitSource;
  limit!: number;
  period!: number;
  algorithm!: RateLimitAlgorithm;
  /** `gcra` only; null: the limit. */
  burst!: number | null;
  mode!: RateLimitMode;
  /** The counter's path in the key `ratelimit:{caller}:{keyPath}`. */
  keyPath!: string;
}

/** What the guard would do with a request, without counting it. */
export class RateLimitPoliciesResponse {
  method!: string;
  path!: string;
  tierId!: number | null;
  /** Null when no route serves the request, or one that is not a Nest controller's. */
  route!: RateLimitRouteResponse | null;
  limited!: boolean;
  /** Why it is not limited; null when it is. */
  reason!: RateLimitExemption | null;
  policies!: RateLimitPolicyResponse[];
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
