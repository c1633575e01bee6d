import type { INestApplication } from '@nestjs/common';
import * as swagger from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { RATE_LIMIT_OPTIONS } from '../../rate-limit/index.js';
import { RateLimitCountersController } from '../counters/rate-limit-counters.controller.js';
import { RateLimitCountersService } from '../counters/rate-limit-counters.service.js';
import { RateLimitPoliciesController } from '../policies/rate-limit-policies.controller.js';
import { RateLimitPolicyExplainer } from '../policies/rate-limit-policy-explainer.js';
import { documentRateLimitAdmin } from './document-rate-limit-admin.js';

type Parameter = { name: string; in: string; required: boolean; schema: Record<string, unknown> };
type Operation = {
  tags: string[];
  parameters: Parameter[];
  security?: unknown[];
  responses: Record<string, { description: string; content?: unknown }>;
};
type Schema = { required?: string[]; properties: Record<string, Record<string, unknown>> };
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

describe('documentRateLimitAdmin: /rate-limit-policies and /rate-limit-counters', () => {
  let document: Doc;

  beforeAll(async () => {
    // Only the routes' metadata is read: the services are never called.
    const moduleRef = await Test.createTestingModule({
      controllers: [RateLimitPoliciesController, RateLimitCountersController],
      providers: [
        { provide: RateLimitPolicyExplainer, useValue: {} },
        { provide: RateLimitCountersService, useValue: {} },
        { provide: RATE_LIMIT_OPTIONS, useValue: {} },
      ],
    }).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: false });
    documentRateLimitAdmin(swagger);
    document = swagger.SwaggerModule.createDocument(
      app,
      new swagger.DocumentBuilder().build(),
    ) as unknown as Doc;
    await app.close();
  });

  it('documents the explanation query and answer, open to anyone', () => {
    const explain = document.paths['/rate-limit-policies'].get;
    expect(explain.tags).toEqual(['rate-limit-policies']);
    expect(explain.security).toBeUndefined();
    expect(explain.parameters).toMatchObject([
      { name: 'path', in: 'query', required: true },
      { name: 'tierId', in: 'query', required: false },
      { name: 'method', in: 'query', required: false, schema: { default: 'GET' } },
    ]);
    expect(explain.parameters[2].schema.enum).toEqual(expect.arrayContaining(['GET', 'HEAD']));
    expect(explain.parameters[2].schema.enum).not.toContain('ALL');
    const { properties, required } = document.components.schemas.RateLimitPoliciesResponse;
    expect(Object.keys(properties)).toEqual([
      'method',
      'path',
      'tierId',
      'route',
      'limited',
      'reason',
      'policies',
    ]);
    expect(required).toEqual(Object.keys(properties));
    expect(properties.policies).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/RateLimitPolicyResponse' },
    });
    expect(Object.keys(document.components.schemas.RateLimitPolicyResponse.properties)).toEqual([
      'name',
      'source',
      'limit',
      'period',
      'algorithm',
      'burst',
      'mode',
      'keyPath',
    ]);
  });

  it('documents the counters routes as the superuser writes are, with the store down as 503', () => {
    const counters = document.paths['/rate-limit-counters'];
    for (const operation of [counters.get, counters.delete]) {
      expect(operation.tags).toEqual(['rate-limit-counters']);
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation.responses).sort()).toEqual(['200', '401', '403', '503']);
      expect(operation.parameters.map(({ name }) => name)).toEqual([
        'path',
        'tierId',
        'method',
        'caller',
      ]);
    }
    const { properties } = document.components.schemas.RateLimitCounterResponse;
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining(['name', 'keyPath', 'key', 'count', 'remaining', 'resetSeconds']),
    );
    expect(properties.count).toMatchObject({ type: 'number', nullable: true });
    expect(
      document.components.schemas.RateLimitCountersResetResponse.properties.reset,
    ).toMatchObject({ type: 'array', items: { type: 'string' } });
  });
});
