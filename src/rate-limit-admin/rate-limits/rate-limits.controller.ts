import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { AnswersServiceUnavailable } from '../database-unavailable.interceptor.js';
import { type Page, PaginationQueryDto, pageSchema } from '../pagination.js';
import { StoredNamePipe } from '../stored-name.pipe.js';
import { SuperuserWrite } from '../superuser-writes.guard.js';
import { CreateRateLimitDto, RateLimitResponse, UpdateRateLimitDto } from './rate-limit.dto.js';
import { RateLimitsService } from './rate-limits.service.js';

/** `/rate-limits`: operator rules per tier and path. Reads are public; writes need a superuser. */
@ApiTags('rate-limits')
@Controller('rate-limits')
@AnswersServiceUnavailable()
export class RateLimitsController {
  constructor(private readonly rules: RateLimitsService) {}

  @Get()
  @ApiOkResponse({ schema: pageSchema(RateLimitResponse) })
  list(@Query() query: PaginationQueryDto): Promise<Page<RateLimitResponse>> {
    return this.rules.list(query);
  }

  @Get(':name')
  @ApiOkResponse({ type: RateLimitResponse })
  @ApiNotFoundResponse({ description: 'No live rule has this name' })
  get(@Param('name', new StoredNamePipe('Rate limit')) name: string): Promise<RateLimitResponse> {
    return this.rules.get(name);
  }

  @Post()
  @SuperuserWrite()
  @ApiCreatedResponse({ type: RateLimitResponse })
  @ApiNotFoundResponse({ description: 'The tier does not exist or is deleted' })
  @ApiConflictResponse({ description: 'The name is taken, or the tier has a rule for this path' })
  create(@Body() dto: CreateRateLimitDto): Promise<RateLimitResponse> {
    return this.rules.create(dto);
  }

  @Patch(':name')
  @SuperuserWrite()
  @ApiOkResponse({ type: RateLimitResponse })
  @ApiNotFoundResponse({ description: 'No such rule, or the new tier does not exist' })
  @ApiConflictResponse({ description: 'The new name or tier and path are taken' })
  update(
    @Param('name', new StoredNamePipe('Rate limit')) name: string,
    @Body() dto: UpdateRateLimitDto,
  ): Promise<RateLimitResponse> {
    return this.rules.update(name, dto);
  }

  @Delete(':name')
  @HttpCode(204)
  @SuperuserWrite()
  @ApiNoContentResponse({ description: 'Soft-deleted; the defaults apply again' })
  @ApiNotFoundResponse()
  remove(@Param('name', new StoredNamePipe('Rate limit')) name: string): Promise<void> {
    return this.rules.remove(name);
  }
}
