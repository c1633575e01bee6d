import type { INestApplication } from '@nestjs/common';
import * as swagger from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { RATE_LIMIT_OPTIONS } from '../../rate-limit/index.js';
import { RateLimitsController } from '../rate-limits/rate-limits.controller.js';
import { RateLimitsService } from '../rate-limits/rate-limits.service.js';
import { TiersController } from '../tiers/tiers.controller.js';
import { TiersService } from '../tiers/tiers.service.js';
import { documentRateLimitAdmin } from './document-rate-limit-admin.js';

type Operation = { responses: Record<string, { description: string }>; security?: unknown[] };
type Doc = {
  paths: Record<string, Record<string, Operation & { tags: string[]; parameters: unknown[] }>>;
  components: { schemas: Record<string, { required?: string[]; properties: object }> };
};

describe('documentRateLimitAdmin', () => {
  let app: INestApplication;
  const document = () =>
    swagger.SwaggerModule.createDocument(
      app,
      new swagger.DocumentBuilder().build(),
    ) as unknown as Doc;

  beforeAll(async () => {
    // Only the routes' metadata is read: the services and the guard's options are never used.
    const moduleRef = await Test.createTestingModule({
      controllers: [RateLimitsController, TiersController],
      providers: [
        { provide: RateLimitsService, useValue: {} },
        { provide: TiersService, useValue: {} },
        { provide: RATE_LIMIT_OPTIONS, useValue: {} },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('leaves the classes undocumented until it is called', () => {
    const { schemas } = document().components;
    expect(Object.keys(schemas).sort()).toEqual([
      'CreateRateLimitDto',
      'CreateTierDto',
      'UpdateRateLimitDto',
      'UpdateTierDto',
    ]);
    for (const schema of Object.values(schemas)) expect(schema.properties).toEqual({});
  });

  it('documents the DTOs, the responses, the tags and the writes’ bearer auth', () => {
    documentRateLimitAdmin(swagger);
    const { paths, components } = document();
    expect(components.schemas.CreateRateLimitDto.required).toEqual([
      'tierId',
      'path',
      'limit',
      'period',
    ]);
    expect(components.schemas.TierResponse.properties).toMatchObject({
      id: { type: 'number' },
      description: { type: 'string', nullable: true, maxLength: 500 },
      createdAt: { type: 'string', format: 'date-time' },
    });
    expect(paths['/tiers'].get.parameters).toMatchObject([
      { name: 'page', in: 'query', required: false },
      { name: 'itemsPerPage', in: 'query', required: false },
    ]);
    const create = paths['/rate-limits'].post;
    expect(create.tags).toEqual(['rate-limits']);
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(create.responses).sort()).toEqual([
      '201',
      '401',
      '403',
      '404',
      '409',
      '503',
    ]);
    expect(create.responses['503'].description).toBe(
      'The rules database cannot be reached; retry after `Retry-After` seconds',
    );
    expect(paths['/tiers'].get.security).toBeUndefined();
  });

  it('documents the total budget path and one live rule per tier, path and period', () => {
    documentRateLimitAdmin(swagger);
    const { paths, components } = document();
    const path = (components.schemas.CreateRateLimitDto.properties as Record<string, object>).path;
    expect(path).toMatchObject({ description: expect.stringContaining("`*` alone is the tier's") });
    expect(paths['/rate-limits'].post.responses['409'].description).toMatch(/path and period/);
    expect(paths['/rate-limits/{name}'].patch.responses['409'].description).toMatch(
      /tier, path and period/,
    );
  });

  it('does nothing when called again', () => {
    const before = document();
    documentRateLimitAdmin(swagger);
    expect(document()).toEqual(before);
  });
});
