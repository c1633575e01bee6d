import {
  All,
  Controller,
  Get,
  type INestApplication,
  Module,
  Param,
  UseGuards,
  VersioningType,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { parseList } from 'structured-headers';
import { RateLimited, RateLimitGuard, RateLimitModule, SkipRateLimit } from 'nest-tier-rate-limit';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import { rateLimitMigrations, RateLimitRulesModule } from 'nest-tier-rate-limit/rules';
import { createTestDatabase, type TestDatabase } from '../support/postgres-database.js';
import { adapters, type AdapterName } from '../support/rate-limit-test-app.js';

// A host app with routes that routers tell apart differently (a literal beside `:id` declared
// after it, a wildcard, `@All`), a skipped route, a RouterModule path, a prefix exclusion and a
// URI version: every explanation must be what the guard then does with the same request.

@Controller('things')
@UseGuards(RateLimitGuard)
class ThingsController {
  @Get()
  list() {
    return { ok: true };
  }

  @Get('free')
  @SkipRateLimit()
  free() {
    return { ok: true };
  }

  /** Declared before `export`: Express serves `/things/export` here, Fastify with `export`. */
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }

  @Get('export')
  @RateLimited({ limit: 2, period: 3600 })
  exportAll() {
    return { ok: true };
  }

  @Get('files/*')
  files() {
    return { ok: true };
  }

  @All('any/:x')
  @RateLimited([
    { limit: 3, period: 10 },
    { limit: 30, period: 600, algorithm: 'sliding-window' },
  ])
  any() {
    return { ok: true };
  }
}

@Controller('open')
class OpenController {
  @Get()
  get() {
    return { ok: true };
  }
}

@Controller('status')
@RateLimited({ limit: 9, period: 9, algorithm: 'gcra', burst: 3 })
class StatusController {
  @Get()
  get() {
    return { ok: true };
  }
}

@Controller({ path: 'versioned', version: '2' })
@UseGuards(RateLimitGuard)
class VersionedController {
  @Get()
  get() {
    return { ok: true };
  }
}

@Controller('cart')
@RateLimited({ limit: 4, period: 30 })
class CartController {
  @Get()
  get() {
    return { ok: true };
  }
}

@Module({ controllers: [CartController] })
class ShopModule {}

/** A policy as `RateLimit-Policy` names it, and as the explanation does. */
type PolicyItem = [unknown, unknown, unknown];

interface Explanation {
  route: { method: string; template: string } | null;
  limited: boolean;
  reason: string | null;
  policies: { name: string; limit: number; period: number; keyPath: string }[];
}

const PROBES: [method: string, path: string][] = [
  ['GET', '/api/things'],
  ['GET', '/api/things/'],
  ['GET', '/api/things/42'],
  ['GET', '/api/Things/42'],
  ['GET', '/api/things/export'],
  ['GET', '/api/things/free'],
  ['GET', '/api/things/files/a/b'],
  ['GET', '/api/things/files/a%2Fb'],
  ['GET', '/api/things/any/1'],
  ['DELETE', '/api/things/any/1'],
  ['HEAD', '/api/things/7'],
  ['POST', '/api/things'],
  ['GET', '/api/open'],
  ['GET', '/status'],
  ['GET', '/api/status'],
  ['GET', '/api/v2/versioned'],
  ['GET', '/api/versioned'],
  ['GET', '/api/shop/cart'],
  ['GET', '/api/nothing'],
];

async function startHost(adapter: AdapterName, globalGuard: boolean) {
  const database: TestDatabase = await createTestDatabase();
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: database.url,
        autoLoadEntities: true,
        migrations: rateLimitMigrations,
        migrationsRun: true,
      }),
      RateLimitRulesModule.forRoot({}),
      RateLimitModule.forRoot({ defaultLimit: 1000, headers: 'both', globalGuard }),
      RateLimitAdminModule.forRoot({
        path: 'ops',
        canWrite: (request) =>
          (request as { headers: Record<string, string> }).headers['x-role'] === 'ops',
      }),
      ShopModule,
      RouterModule.register([{ path: 'shop', module: ShopModule }]),
    ],
    controllers: [ThingsController, OpenController, StatusController, VersionedController],
  }).compile();
  const app: INestApplication =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  app.setGlobalPrefix('api', { exclude: ['status'] });
  app.enableVersioning({ type: VersioningType.URI });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

describe.each(adapters)('explanations in a host app on %s', (adapter) => {
  describe.each([false, true])('with globalGuard %s', (globalGuard) => {
    let host: Awaited<ReturnType<typeof startHost>>;
    const send = (method: string, path: string, headers: Record<string, string> = {}) =>
      fetch(`${host.url}${path}`, { method, headers });
    const explain = async (method: string, path: string) => {
      const query = new URLSearchParams({ method, path });
      const response = await send('GET', `/api/ops/rate-limit-policies?${query.toString()}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Explanation;
    };
    const policyField = (response: Response): PolicyItem[] => {
      const field = response.headers.get('ratelimit-policy');
      return field === null
        ? []
        : parseList(field).map(([name, p]) => [name, p.get('q'), p.get('w')]);
    };

    beforeAll(async () => {
      host = await startHost(adapter, globalGuard);
    });
    afterAll(async () => {
      await host?.close();
    });

    it.each(PROBES)('explains %s %s as the guard then limits it', async (method, path) => {
      const explanation = await explain(method, path);
      const answer = await send(method, path);
      if (explanation.reason === 'no-route') expect(answer.status).toBe(404);
      else expect(answer.status).not.toBe(404);
      expect(explanation.limited).toBe(explanation.policies.length > 0);
      expect(policyField(answer)).toEqual(
        explanation.policies.map(({ name, limit, period }) => [name, limit, period]),
      );
    });

    it('tells a literal route from a parameter declared before it, as the router does', async () => {
      const { route, policies } = await explain('GET', '/api/things/export');
      if (adapter === 'express') {
        expect(route).toEqual({ method: 'GET', template: '/api/things/:id' });
        expect(policies).toMatchObject([
          { name: 'default', limit: 1000, keyPath: 'api_things_export#GET@api_things_{id}' },
        ]);
      } else {
        expect(route).toEqual({ method: 'GET', template: '/api/things/export' });
        expect(policies).toMatchObject([
          { name: 'route', limit: 2, keyPath: 'api_things_export#GET' },
        ]);
      }
    });

    it('reads the route paths Nest builds: RouterModule, prefix exclusions, URI versions, wildcards', async () => {
      expect((await explain('GET', '/api/shop/cart')).route?.template).toBe('/api/shop/cart');
      expect((await explain('GET', '/status')).route?.template).toBe('/status');
      expect((await explain('GET', '/api/status')).reason).toBe('no-route');
      expect((await explain('GET', '/api/v2/versioned')).route?.template).toBe('/api/v2/versioned');
      const files = await explain('GET', '/api/things/files/a/b');
      expect(files.route?.template).toBe(
        adapter === 'express' ? '/api/things/files/{*path}' : '/api/things/files/*',
      );
      expect(files.policies[0].keyPath).toBe(
        `api_things_files_a_b#GET@${adapter === 'express' ? 'api_things_files_{*path}' : 'api_things_files_*'}`,
      );
      const any = await explain('DELETE', '/api/things/any/1');
      expect(any.route).toEqual({ method: 'ALL', template: '/api/things/any/:x' });
      expect(any.policies.map(({ keyPath }) => keyPath)).toEqual([
        'api_things_any_1#ALL@api_things_any_{x}#10s',
        'api_things_any_1#ALL@api_things_any_{x}#600s',
      ]);
    });

    it('says why a route is not limited: skipped, or without the guard', async () => {
      expect(await explain('GET', '/api/things/free')).toMatchObject({
        reason: 'skipped',
        limited: false,
      });
      const open = await explain('GET', '/api/open');
      if (globalGuard) expect(open).toMatchObject({ reason: null, limited: true });
      else expect(open).toMatchObject({ reason: 'not-guarded', route: { template: '/api/open' } });
    });

    it('reads the counter of the route the router picked, under the admin path', async () => {
      const query = new URLSearchParams({ caller: 'ip:127.0.0.1', path: '/api/things/export' });
      const read = async () => {
        const response = await send('GET', `/api/ops/rate-limit-counters?${query.toString()}`, {
          'x-role': 'ops',
        });
        expect(response.status).toBe(200);
        return ((await response.json()) as { policies: { count: number }[] }).policies[0].count;
      };
      const before = await read();
      expect((await send('GET', '/api/things/export')).status).toBe(200);
      expect(await read()).toBe(before + 1);
      const refused = await send('GET', `/api/ops/rate-limit-counters?${query.toString()}`, {
        'x-role': 'viewer',
      });
      expect(refused.status).toBe(403);
    });
  });
});
