import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import {
  Args,
  GraphQLModule,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  RateLimited,
  RateLimitModule,
  type RateLimitModuleOptions,
  SkipRateLimit,
} from 'nest-tier-rate-limit';

/** The GraphQL servers every GraphQL suite runs on: each driver on the adapter it is used with. */
export const graphqlDrivers = ['apollo-express', 'mercurius-fastify', 'apollo-fastify'] as const;
export type GraphqlDriverName = (typeof graphqlDrivers)[number];

const typeDefs = /* GraphQL */ `
  type Widget {
    id: ID!
    name: String!
    price: Int!
  }
  type Query {
    widgets: [Widget!]
    widget(id: ID!): Widget
    free: Boolean!
  }
  type Mutation {
    createWidget(name: String!): Widget!
    login(password: String!): Boolean!
  }
  type Subscription {
    ticks: Int!
  }
`;

const WIDGETS = [{ id: '1', name: 'gear' }];

/** Resolvers limited at class level (5 a minute), with a method's own limit, a skip and a settlement. */
@Resolver('Query')
@RateLimited({ limit: 5, period: 60 })
class QueryResolver {
  @Query('widgets')
  widgets() {
    return WIDGETS;
  }

  @Query('widget')
  widget(@Args('id') id: string) {
    return WIDGETS.find((widget) => widget.id === id) ?? null;
  }

  @Query('free')
  @SkipRateLimit()
  free() {
    return true;
  }
}

@Resolver('Mutation')
class MutationResolver {
  @Mutation('createWidget')
  @RateLimited({ limit: 2, period: 60 })
  createWidget(@Args('name') name: string) {
    return { id: '2', name };
  }

  /** Only failed logins count, as on the HTTP login route. */
  @Mutation('login')
  @RateLimited({ limit: 2, period: 60, count: 'failed' })
  login(@Args('password') password: string) {
    if (password !== 'right') throw new Error('Wrong password');
    return true;
  }
}

/**
 * Field resolvers, which Nest guards only with `fieldResolverEnhancers: ['guards']`: then the
 * class's limit alone counts none of them, a field's own counts it once per parent object.
 */
@Resolver('Widget')
@RateLimited({ limit: 1, period: 60 })
class WidgetResolver {
  @ResolveField('name')
  name(@Parent() widget: { name: string }) {
    return widget.name;
  }

  @ResolveField('price')
  @RateLimited({ limit: 2, period: 60 })
  price() {
    return 7;
  }
}

/** A subscription of two ticks, limited to 2 subscribes a minute. */
@Resolver('Subscription')
class SubscriptionResolver {
  @Subscription('ticks')
  @RateLimited({ limit: 2, period: 60 })
  async *ticks() {
    for (const ticks of [1, 2]) yield await Promise.resolve({ ticks });
  }
}

interface UserRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: { id: string; tierId: number | null };
}

/** The demo's kind of auth in one line: `x-user: id` or `id:tier` sets `req.user`. */
function authenticate(request: UserRequest): UserRequest {
  const header = request.headers['x-user'];
  if (typeof header === 'string') {
    const [id, tier] = header.split(':');
    request.user = { id, tierId: tier === undefined ? null : Number(tier) };
  }
  return request;
}

/** A running GraphQL app and a client for it. */
export interface GraphqlTestApp {
  app: INestApplication;
  /** Posts one GraphQL operation; `user` becomes the `x-user` header. */
  post(query: string, options?: { user?: string; variables?: object }): Promise<GraphqlReply>;
  /**
   * Subscribes over graphql-ws on a connection of its own, and resolves with what came: the
   * values, or the errors the subscription ended with.
   */
  subscribe(query: string): Promise<{ values: unknown[]; errors?: GraphqlError[] }>;
  close(): Promise<void>;
}

/** An error as GraphQL responses carry it. */
export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphqlReply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: GraphqlError[] };
}

/** How the GraphQL module is set up beside the driver. */
export interface GraphqlSetup {
  /** `fieldResolverEnhancers: ['guards']`: field resolvers are guarded too. */
  fieldGuards?: boolean;
}

function graphqlModule(driver: GraphqlDriverName, { fieldGuards = false }: GraphqlSetup) {
  const fieldResolverEnhancers = fieldGuards ? (['guards'] as const) : [];
  if (driver === 'mercurius-fastify')
    return GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      typeDefs,
      subscription: true,
      fieldResolverEnhancers: [...fieldResolverEnhancers],
      // Mercurius calls it with the Fastify request and reply, and keeps the reply beside.
      context: (request: UserRequest) => ({ req: authenticate(request) }),
    });
  return GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    typeDefs,
    subscriptions: { 'graphql-ws': true },
    fieldResolverEnhancers: [...fieldResolverEnhancers],
    // Express: `{ req, res }`; Fastify: the request and the reply; graphql-ws: its context,
    // left as Nest's driver makes it (`req` is graphql-ws' context).
    context: (first: { req?: UserRequest; extra?: unknown } & UserRequest, reply?: object) => {
      if (first.extra !== undefined) return first;
      return first.req === undefined
        ? { req: authenticate(first), reply }
        : { req: authenticate(first.req) };
    },
    includeStacktraceInErrorResponses: false,
  });
}

/** Starts a GraphQL app on `driver` with the module `options`, listening on loopback. */
export async function startGraphqlApp(
  driver: GraphqlDriverName,
  options: RateLimitModuleOptions = {},
  setup: GraphqlSetup = {},
): Promise<GraphqlTestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [RateLimitModule.forRoot(options), graphqlModule(driver, setup)],
    providers: [QueryResolver, MutationResolver, WidgetResolver, SubscriptionResolver],
  }).compile();
  const app =
    driver === 'apollo-express'
      ? moduleRef.createNestApplication({ logger: false })
      : moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    app,
    async post(query, { user, variables } = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (user !== undefined) headers['x-user'] = user;
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphqlReply['body'],
      };
    },
    async subscribe(query) {
      const client = createClient({
        url: url.replace('http:', 'ws:'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
      });
      const values: unknown[] = [];
      const errors: GraphqlError[] = [];
      try {
        return await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the subscription did not end')), 5000);
          client.subscribe(
            { query },
            {
              // graphql-ws sends a refused subscribe as one result with errors (Apollo), or as
              // an error message (Mercurius).
              next: (value) => {
                if (value.errors === undefined) values.push(value.data);
                else errors.push(...(value.errors as GraphqlError[]));
              },
              error: (error: unknown) => {
                clearTimeout(timer);
                if (Array.isArray(error)) resolve({ values, errors: error as GraphqlError[] });
                else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
              },
              complete: () => {
                clearTimeout(timer);
                resolve(errors.length === 0 ? { values } : { values, errors });
              },
            },
          );
        });
      } finally {
        await client.dispose();
      }
    },
    close: () => app.close(),
  };
}
