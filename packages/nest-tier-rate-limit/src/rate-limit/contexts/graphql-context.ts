/** What the guard reads of a GraphQL context value (`@Context()`), whichever driver made it. */
export interface GraphqlContextValue {
  /** The HTTP request: Nest's Apollo and Mercurius drivers set it. */
  req?: unknown;
  /** Apollo on Express: the response, when the app's `context` returns it. */
  res?: unknown;
  /** Mercurius (and Apollo on Fastify, when the app's `context` returns it): the reply. */
  reply?: { request?: unknown };
  /** graphql-ws subscriptions: the upgrade request. */
  extra?: { request?: unknown };
}

/** What the guard reads of a resolver's `info`. */
export interface GraphqlFieldInfo {
  fieldName: string;
  parentType: { name: string };
  /** Where the field is in the result: a root field's has no `prev`. */
  path?: { prev?: unknown };
}

/**
 * The HTTP request behind a GraphQL operation, if it has one: `req` (Nest's drivers); for an
 * Apollo subscription, whose `req` is graphql-ws' context, its `extra.request`; Mercurius'
 * `reply.request`; `extra.request`. Only what has the headers and socket of a request counts.
 */
export function graphqlRequest(value: GraphqlContextValue | undefined): object | undefined {
  if (value === undefined) return undefined;
  const req = value.req as GraphqlContextValue | undefined;
  return (
    asRequest(req) ??
    asRequest(req?.extra?.request) ??
    asRequest(value.reply?.request) ??
    asRequest(value.extra?.request)
  );
}

/**
 * The HTTP response a GraphQL operation answers on, if it can be reached: `res`, Mercurius'
 * `reply`, or Express' `req.res`; only one that can take a header. Subscriptions have none.
 */
export function graphqlResponse(value: GraphqlContextValue | undefined): object | undefined {
  if (value === undefined) return undefined;
  const req = value.req as { res?: unknown } | undefined;
  return asResponse(value.res) ?? asResponse(value.reply) ?? asResponse(req?.res);
}

/** `value` when it is a Node request or a Fastify one (both have headers and a socket). */
function asRequest(value: unknown): object | undefined {
  const request = value as { headers?: unknown; socket?: unknown; raw?: unknown } | null;
  if (typeof request !== 'object' || request === null) return undefined;
  if (typeof request.headers !== 'object' || request.headers === null) return undefined;
  return typeof request.socket === 'object' || typeof request.raw === 'object'
    ? request
    : undefined;
}

/** `value` when it takes headers: a Node or Express response, or a Fastify reply. */
function asResponse(value: unknown): object | undefined {
  const response = value as { setHeader?: unknown; header?: unknown } | null;
  if (typeof response !== 'object' || response === null) return undefined;
  return typeof response.setHeader === 'function' || typeof response.header === 'function'
    ? response
    : undefined;
}
