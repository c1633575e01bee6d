import type { RateLimitDecision } from '../rate-limit-decision.js';
import { graphqlRequest, graphqlResponse, showsOnResponse } from './graphql-context.js';

const decision = (allowed: boolean, remaining: number, retryAfterSeconds = 0) =>
  ({ allowed, remaining, retryAfterSeconds }) as RateLimitDecision;

describe('graphqlRequest and graphqlResponse', () => {
  const req = { res: { express: true } };
  const reply = { request: { fastify: true } };

  it('read Nest drivers’ `req`, Mercurius’ `reply` and graphql-ws’ `extra.request`', () => {
    expect(graphqlRequest({ req })).toBe(req);
    expect(graphqlRequest({ reply })).toBe(reply.request);
    expect(graphqlRequest({ extra: { request: req } })).toBe(req);
    expect(graphqlRequest({})).toBeUndefined();
    expect(graphqlRequest({ req: 'not a request' })).toBeUndefined();
    expect(graphqlRequest(undefined)).toBeUndefined();
  });

  it('find the response as `res`, the reply, or Express’ `req.res`', () => {
    const res = {};
    expect(graphqlResponse({ req, res })).toBe(res);
    expect(graphqlResponse({ req: {}, reply })).toBe(reply);
    expect(graphqlResponse({ req })).toBe(req.res);
    expect(graphqlResponse({ req: {} })).toBeUndefined();
    expect(graphqlResponse(undefined)).toBeUndefined();
  });
});

describe('showsOnResponse', () => {
  it('shows the first decision, then only a more constrained one', () => {
    const scope = {};
    expect(showsOnResponse(scope, decision(true, 4))).toBe(true);
    expect(showsOnResponse(scope, decision(true, 9))).toBe(false);
    expect(showsOnResponse(scope, decision(true, 2))).toBe(true);
    expect(showsOnResponse(scope, decision(false, 0, 30))).toBe(true);
    // After a refusal, a pass never replaces it, however few it has left.
    expect(showsOnResponse(scope, decision(true, 0))).toBe(false);
    expect(showsOnResponse(scope, decision(false, 0, 10))).toBe(false);
    expect(showsOnResponse(scope, decision(false, 0, 60))).toBe(true);
  });

  it('lets a settled decision replace the one it settled, and keeps operations apart', () => {
    const scope = {};
    const charged = decision(true, 0);
    showsOnResponse(scope, charged);
    expect(showsOnResponse(scope, decision(true, 1), charged)).toBe(true);
    expect(showsOnResponse({}, decision(true, 50))).toBe(true);
  });
});
