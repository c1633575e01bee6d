import { randomUUID } from 'node:crypto';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type INestApplication,
  type LoggerService,
  BadRequestException,
  Param,
  Post,
  Query,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  RateLimited,
  RateLimitGuard,
  RateLimitModule,
  type RateLimitModuleOptions,
  SkipRateLimit,
} from 'nest-tier-rate-limit';

/** The HTTP adapters every e2e suite runs on. */
export const adapters = ['express', 'fastify'] as const;
export type AdapterName = (typeof adapters)[number];

@Controller('things')
@RateLimited({ limit: 5, period: 60 })
class ThingsController {
  @Get()
  list() {
    return { ok: true };
  }

  @Get('strict')
  @RateLimited({ limit: 2, period: 30 })
  strict() {
    return { ok: true };
  }

  @Get('free')
  @SkipRateLimit()
  free() {
    return { ok: true };
  }

  /** A literal route beside `:id`, with a limit of its own: `:id` = `export` must not share it. */
  @Get('export')
  @RateLimited({ limit: 2, period: 3600 })
  exportAll() {
    return { ok: true };
  }

  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }
}

@Controller('guarded')
@UseGuards(RateLimitGuard)
class GuardedController {
  @Get()
  get() {
    return { ok: true };
  }
}

@Controller('skipped')
@SkipRateLimit()
class SkippedController {
  @Get()
  get() {
    return { ok: true };
  }

  @Get('limited')
  @RateLimited({ limit: 2, period: 30 })
  limited() {
    return { ok: true };
  }
}

@Controller('files')
@RateLimited({ limit: 1, period: 60 })
class FilesController {
  /** `*`: Nest makes it `*path` on Express (an array of segments) and keeps it on Fastify. */
  @Get('*')
  file() {
    return { ok: true };
  }
}

/** One route per counting algorithm other than the default. */
@Controller('algorithms')
class AlgorithmsController {
  /** One request every 30 s, none saved up. */
  @Get('gcra')
  @RateLimited({ limit: 2, period: 60, algorithm: 'gcra', burst: 1 })
  gcra() {
    return { ok: true };
  }

  @Get('sliding')
  @RateLimited({ limit: 2, period: 60, algorithm: 'sliding-window' })
  sliding() {
    return { ok: true };
  }
}

/** Routes with several limits, a cost, and answers that settle what they cost. */
@Controller('policies')
class PoliciesController {
  /** A burst and a sustained limit, decided together (2 s: a Memcached window is ≥ 1 s long). */
  @Get('windows')
  @RateLimited([
    { limit: 2, period: 2 },
    { limit: 5, period: 3600 },
  ])
  windows() {
    return { ok: true };
  }

  /** Three units a request out of seven. */
  @Post('bulk')
  @RateLimited({ limit: 7, period: 60, cost: 3 })
  bulk() {
    return { ok: true };
  }

  /** Only failures count, as login attempts do: `?ok=1` succeeds, anything else is a 401. */
  @Get('login')
  @RateLimited({ limit: 2, period: 60, count: 'failed' })
  login(@Query('ok') ok?: string) {
    if (ok !== '1') throw new UnauthorizedException('Wrong password');
    return { ok: true };
  }

  /** Only failures count, and the handler sets its own status (`?fail=1`: a 401, no exception). */
  @Get('passthrough')
  @RateLimited({ limit: 2, period: 60, count: 'failed' })
  passthrough(
    @Res({ passthrough: true }) response: { status(code: number): unknown },
    @Query('fail') fail?: string,
  ) {
    if (fail === '1') response.status(401);
    return { ok: fail !== '1' };
  }

  /** Only successes count; a failure (`?fail=1`, a 400) is given back. */
  @Get('successful')
  @RateLimited(
    [
      { limit: 2, period: 60, algorithm: 'gcra' },
      { limit: 3, period: 3600 },
    ],
    {
      count: 'successful',
    },
  )
  successful(@Query('fail') fail?: string) {
    if (fail === '1') throw new BadRequestException('Bad input');
    return { ok: true };
  }
}

/** Limits tried out in shadow mode beside enforced ones. */
@Controller('shadow')
class ShadowController {
  /** Only a shadow limit of 2: never refused. */
  @Get('alone')
  @RateLimited({ limit: 2, period: 60, mode: 'shadow' })
  alone() {
    return { ok: true };
  }

  /** A shadow limit of 2 beside an enforced limit of 4: refused from the fifth request. */
  @Get('beside')
  @RateLimited([
    { limit: 2, period: 60, mode: 'shadow' },
    { limit: 4, period: 3600 },
  ])
  beside() {
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

/** Stands in for the host's auth: `x-test-user: id[:tierId]` becomes `request.user`. */
@Injectable()
class TestUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const header = request.headers['x-test-user'];
    if (header !== undefined) {
      const [id, tierId] = header.split(':');
      request.user = { id, tierId: tierId === undefined ? undefined : Number(tierId) };
    }
    return true;
  }
}

/** A running app with the rate-limit module and test routes under `/api`. */
export interface TestApp {
  app: INestApplication;
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts an app on a free loopback port with the given limiter options; every app gets its own
 * key prefix so apps sharing a Redis or Memcached never see each other's counters.
 */
export async function startTestApp(
  adapter: AdapterName,
  options: RateLimitModuleOptions,
  globalGuard = false,
  logger: LoggerService | false = false,
): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RateLimitModule.forRoot({ keyPrefix: `e2e-${randomUUID()}`, ...options, globalGuard }),
    ],
    controllers: [
      ThingsController,
      GuardedController,
      SkippedController,
      FilesController,
      OpenController,
      AlgorithmsController,
      PoliciesController,
      ShadowController,
    ],
    providers: [{ provide: APP_GUARD, useClass: TestUserGuard }],
  }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  app.setGlobalPrefix('api');
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    get: (path, headers = {}) => fetch(`${url}${path}`, { headers }),
    post: (path, headers = {}) => fetch(`${url}${path}`, { method: 'POST', headers }),
    close: () => app.close(),
  };
}
