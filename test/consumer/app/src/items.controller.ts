import { Controller, Get, UseGuards } from '@nestjs/common';
import { RateLimited, RateLimitGuard, SkipRateLimit } from 'nest-tier-rate-limit';

/** A host app's own resource, limited the three ways the package offers. */
@Controller('items')
@UseGuards(RateLimitGuard)
export class ItemsController {
  /** The module defaults, or the caller's tier rule. */
  @Get()
  list(): string[] {
    return [];
  }

  /** This route's own limit, in code. */
  @Get('scarce')
  @RateLimited({ limit: 2, period: 60 })
  scarce(): { ok: boolean } {
    return { ok: true };
  }

  /** Exempt, although its class is guarded. */
  @Get('free')
  @SkipRateLimit()
  free(): { ok: boolean } {
    return { ok: true };
  }
}
