/** Who is calling, as far as rate limiting is concerned. */
export interface RateLimitCaller {
  /** Stable user id: the counter key uses it instead of the IP. */
  id: string;
  /** The caller's tier, for tier rules; `null` when the user has none. */
  tierId: number | null;
  /** Superusers are still limited; the flag is there for rule resolvers that care. */
  isSuperuser: boolean;
}

/**
 * Reads the caller from a request; `undefined` means anonymous (limited by IP).
 * Replace it through the module's `callerResolver` option when your auth stores users differently.
 */
export type RateLimitCallerResolver = (request: unknown) => RateLimitCaller | undefined;

type UserLike = Record<string, unknown>;

/**
 * The default resolver: `request.user` as Passport-style auth sets it, reading `id` or `sub`,
 * `tierId` or `tier_id`, `isSuperuser` or `is_superuser`.
 */
export const defaultCallerResolver: RateLimitCallerResolver = (request) => {
  const user = (request as { user?: unknown }).user;
  if (user === null || typeof user !== 'object') return undefined;
  const fields = user as UserLike;
  const id = fields.id ?? fields.sub;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  return {
    id: String(id),
    tierId: toTierId(fields.tierId ?? fields.tier_id),
    isSuperuser: (fields.isSuperuser ?? fields.is_superuser) === true,
  };
};

function toTierId(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}
