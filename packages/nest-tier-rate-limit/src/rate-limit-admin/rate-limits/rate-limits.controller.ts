import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { AnswersServiceUnavailable } from '../database-unavailable.interceptor.js';
import { type Page, PaginationQueryDto } from '../pagination.js';
import { StoredNamePipe } from '../stored-name.pipe.js';
import { ValidatesOwnInput } from '../strict-validation.pipe.js';
import { SuperuserWrite } from '../superuser-writes.guard.js';
import { CreateRateLimitDto, RateLimitResponse, UpdateRateLimitDto } from './rate-limit.dto.js';
import { RateLimitsService } from './rate-limits.service.js';

/** `/rate-limits`: operator rules per tier and path. Reads are public; writes need a superuser. */
@Controller('rate-limits')
@AnswersServiceUnavailable()
@ValidatesOwnInput()
export class RateLimitsController {
  constructor(private readonly rules: RateLimitsService) {}

  @Get()
  list(@Query() query: PaginationQueryDto): Promise<Page<RateLimitResponse>> {
    return this.rules.list(query);
  }

  @Get(':name')
  get(@Param('name', new StoredNamePipe('Rate limit')) name: string): Promise<RateLimitResponse> {
    return this.rules.get(name);
  }

  @Post()
  @SuperuserWrite()
  create(@Body() dto: CreateRateLimitDto): Promise<RateLimitResponse> {
    return this.rules.create(dto);
  }

  @Patch(':name')
  @SuperuserWrite()
  update(
    @Param('name', new StoredNamePipe('Rate limit')) name: string,
    @Body() dto: UpdateRateLimitDto,
  ): Promise<RateLimitResponse> {
    return this.rules.update(name, dto);
  }

  @Delete(':name')
  @HttpCode(204)
  @SuperuserWrite()
  remove(@Param('name', new StoredNamePipe('Rate limit')) name: string): Promise<void> {
    return this.rules.remove(name);
  }
}
