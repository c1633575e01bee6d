import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { GUARDED_PATH } from '../scenarios.js';
import type { RouteTarget } from './route-target.js';

/** What the bench reads of the Express app: its request and response prototypes, its settings. */
export interface ExpressPrototypes {
  readonly request: object;
  readonly response: object;
  enabled(setting: string): boolean;
}

/** The fields Express's router adds to a request. */
interface RoutedRequest extends IncomingMessage {
  res: ServerResponse;
  next: () => void;
  baseUrl: string;
  originalUrl: string;
  params: Record<string, string>;
  route: { path: string };
}

/** Where a guard's request contexts come from: the route and the Express app it runs in. */
export interface ContextSource {
  readonly route: RouteTarget;
  readonly express: ExpressPrototypes;
}

// One keep-alive connection carries every request, as a client's would.
const CONNECTION = new Socket();
// Unconnected, the socket's getter has no peer: the address the e2e load comes from.
Object.defineProperty(CONNECTION, 'remoteAddress', { value: '127.0.0.1' });

const ROUTE_ID = GUARDED_PATH.slice(GUARDED_PATH.lastIndexOf('/') + 1);

const next = () => undefined;

function adopt(express: ExpressPrototypes, request: object, response: object): void {
  Object.setPrototypeOf(request, express.request);
  Object.setPrototypeOf(response, express.response);
}

/**
 * A fresh request to {@link GUARDED_PATH} as Express hands it to Nest's router: a real
 * `IncomingMessage` and `ServerResponse`, then what Express 5's `app.handle` does (the
 * `X-Powered-By` header, `req.res`, the app's prototypes, `res.locals`) and what its router sets
 * (`next`, `baseUrl`, `originalUrl`, `params`, `route`), in that order; wrapped as Nest wraps it
 * for guards. `req.app` and `res.app` come from the prototypes, as in Express.
 *
 * In that order V8 gives every request and response a hidden class of its own (fields added
 * after a prototype change), as it does in an Express server, and building one costs ~60 µs here.
 * `sharedShape` sets the same fields before the prototypes instead: one class for all, ~10 µs;
 * for runs that count what a store keeps, not what a decision costs.
 */
export function requestContext(
  source: ContextSource,
  headers: Record<string, string>,
  sharedShape = false,
): ExecutionContext {
  const { express, route } = source;
  // What the HTTP parser sets.
  const request = new IncomingMessage(CONNECTION) as RoutedRequest;
  request.method = 'GET';
  request.url = GUARDED_PATH;
  request.headers = headers;
  const response = new ServerResponse(request) as ServerResponse<RoutedRequest> & {
    locals: object;
  };
  // Express's app.handle.
  if (express.enabled('x-powered-by')) response.setHeader('X-Powered-By', 'Express');
  request.res = response;
  if (!sharedShape) adopt(express, request, response);
  response.locals = Object.create(null) as object;
  // Its router, on matching the route.
  request.next = next;
  request.baseUrl = '';
  request.originalUrl = GUARDED_PATH;
  request.params = { id: ROUTE_ID };
  request.route = { path: route.template };
  if (sharedShape) adopt(express, request, response);
  const context = new ExecutionContextHost(
    [request, response, next],
    route.controller,
    route.handler,
  );
  context.setType('http');
  return context;
}
