import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { ValidatesOwnInput } from '../strict-validation.pipe.js';
import { SuperuserWrite } from '../superuser-writes.guard.js';
import {
  RateLimitCounterQueryDto,
  RateLimitCountersResetResponse,
  RateLimitCountersResponse,
} from './rate-limit-counters.dto.js';
import { RateLimitCountersService } from './rate-limit-counters.service.js';

/**
 * `/rate-limit-counters`: a caller's live counters for the policies of one request, and their
 * reset. Superusers only (or whom the host's `canWrite` admits), reads included: counters tell
 * who calls what, and how much.
 */
@Controller('rate-limit-counters')
@SuperuserWrite()
@ValidatesOwnInput()
export class RateLimitCountersController {
  constructor(private readonly counters: RateLimitCountersService) {}

  /** Reads the counters without counting a request. */
  @Get()
  read(@Query() query: RateLimitCounterQueryDto): Promise<RateLimitCountersResponse> {
    return this.counters.read(query);
  }

  /** Clears the counters; answers the keys it cleared. */
  @Delete()
  @HttpCode(200)
  reset(@Query() query: RateLimitCounterQueryDto): Promise<RateLimitCountersResetResponse> {
    return this.counters.reset(query);
  }
}
