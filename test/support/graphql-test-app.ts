import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
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

/** A field resolver the guard does not see: Nest runs no guard on fields unless told to. */
@Resolver('Widget')
class WidgetResolver {
  @ResolveField('price')
  @RateLimited({ limit: 1, period: 60 })
  price() {
    return 7;
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
  close(): Promise<void>;
}

export interface GraphqlReply {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  };
}

function graphqlModule(driver: GraphqlDriverName) {
  if (driver === 'mercurius-fastify')
    return GraphQLModule.forRoot<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      typeDefs,
      // Mercurius calls it with the Fastify request and reply, and keeps the reply beside.
      context: (request: UserRequest) => ({ req: authenticate(request) }),
    });
  return GraphQLModule.forRoot<ApolloDriverConfig>({
    driver: ApolloDriver,
    typeDefs,
    // Express: `{ req, res }`; Fastify: the request and the reply.
    context: (first: { req?: UserRequest } & UserRequest, reply?: object) =>
      first.req === undefined
        ? { req: authenticate(first), reply }
        : { req: authenticate(first.req) },
    includeStacktraceInErrorResponses: false,
  });
}

/** Starts a GraphQL app on `driver` with the module `options`, listening on loopback. */
export async function startGraphqlApp(
  driver: GraphqlDriverName,
  options: RateLimitModuleOptions = {},
): Promise<GraphqlTestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [RateLimitModule.forRoot(options), graphqlModule(driver)],
    providers: [QueryResolver, MutationResolver, WidgetResolver],
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
    close: () => app.close(),
  };
}
