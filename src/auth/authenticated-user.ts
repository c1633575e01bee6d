/** The caller as the demo's JWT auth puts it on `request.user` (Passport convention). */
export interface AuthenticatedUser {
  /** The token's `sub` claim, as a string. */
  id: string;
  /** The token's `tierId` claim; `null` when absent. */
  tierId: number | null;
  /** The token's `isSuperuser` claim; `false` when absent. */
  isSuperuser: boolean;
}

/** The part of a request the auth guards use; Express and Fastify requests both fit. */
export interface AuthRequest {
  /** Request headers, names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** Set by `JwtAuthGuard` for a valid bearer token; `undefined` for anonymous callers. */
  user?: AuthenticatedUser;
}
