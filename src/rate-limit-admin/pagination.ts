import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Highest page number accepted: keeps the row offset well inside PostgreSQL's bigint. */
const MAX_PAGE = 1_000_000;

/** `?page=1&itemsPerPage=10` of the list routes. */
export class PaginationQueryDto {
  /** 1-based page number. */
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  /** Items per page, 1–100. */
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  itemsPerPage: number = 10;
}

/** One page of a list, sorted by id. */
export interface Page<T> {
  data: T[];
  totalCount: number;
  hasMore: boolean;
  page: number;
  itemsPerPage: number;
}

/** Describes a page of `item` for OpenAPI. */
export function pageSchema(item: new (...args: never[]) => unknown) {
  return {
    type: 'object',
    properties: {
      data: { type: 'array', items: { $ref: `#/components/schemas/${item.name}` } },
      totalCount: { type: 'integer' },
      hasMore: { type: 'boolean' },
      page: { type: 'integer' },
      itemsPerPage: { type: 'integer' },
    },
  };
}

/** Builds a page from a `findAndCount` result. */
export function toPage<T>(
  [data, totalCount]: [T[], number],
  { page, itemsPerPage }: PaginationQueryDto,
): Page<T> {
  return { data, totalCount, hasMore: page * itemsPerPage < totalCount, page, itemsPerPage };
}

/** `skip`/`take` of a page, for TypeORM. */
export function pageWindow({ page, itemsPerPage }: PaginationQueryDto) {
  return { skip: (page - 1) * itemsPerPage, take: itemsPerPage };
}
