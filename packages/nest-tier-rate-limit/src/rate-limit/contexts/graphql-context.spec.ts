import { graphqlRequest, graphqlResponse } from './graphql-context.js';

/** Shaped as a Node request (headers and a socket), an Express response, a Fastify pair. */
const nodeRequest = () => ({ headers: {}, socket: {}, res: { setHeader: () => undefined } });
const fastifyRequest = () => ({ headers: {}, raw: {} });
const reply = () => ({ header: () => undefined, request: fastifyRequest() });

describe('graphqlRequest', () => {
  it('reads `req` as Nest’s drivers set it, Express or Fastify', () => {
    const express = nodeRequest();
    expect(graphqlRequest({ req: express })).toBe(express);
    const fastify = fastifyRequest();
    expect(graphqlRequest({ req: fastify })).toBe(fastify);
  });

  it('reads an Apollo subscription’s `req`, graphql-ws’ context, by its `extra.request`', () => {
    const upgrade = nodeRequest();
    expect(graphqlRequest({ req: { extra: { request: upgrade, socket: {} } } })).toBe(upgrade);
    expect(graphqlRequest({ extra: { request: upgrade } })).toBe(upgrade);
  });

  it('reads Mercurius’ `reply.request`, its subscriptions’ stand-in reply too', () => {
    const mercurius = reply();
    expect(graphqlRequest({ reply: mercurius })).toBe(mercurius.request);
    const upgrade = fastifyRequest();
    expect(graphqlRequest({ reply: { request: upgrade } })).toBe(upgrade);
  });

  it('is undefined for anything not shaped as a request', () => {
    expect(graphqlRequest({})).toBeUndefined();
    expect(graphqlRequest({ req: 'not a request' })).toBeUndefined();
    expect(graphqlRequest({ req: { headers: {} } })).toBeUndefined();
    expect(graphqlRequest({ req: { extra: { socket: {} } } })).toBeUndefined();
    expect(graphqlRequest(undefined)).toBeUndefined();
  });
});

describe('graphqlResponse', () => {
  it('is `res`, the reply, or Express’ `req.res`: whichever takes headers', () => {
    const res = { setHeader: () => undefined };
    expect(graphqlResponse({ req: nodeRequest(), res })).toBe(res);
    const mercurius = reply();
    expect(graphqlResponse({ req: fastifyRequest(), reply: mercurius })).toBe(mercurius);
    const express = nodeRequest();
    expect(graphqlResponse({ req: express })).toBe(express.res);
  });

  it('is undefined for a subscription: no response, or a reply that takes no header', () => {
    expect(graphqlResponse({ req: fastifyRequest() })).toBeUndefined();
    expect(graphqlResponse({ reply: { request: fastifyRequest() } })).toBeUndefined();
    expect(graphqlResponse({ req: { extra: { request: nodeRequest() } } })).toBeUndefined();
    expect(graphqlResponse(undefined)).toBeUndefined();
  });
});
