import { Body, Controller, Get, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { RateLimited, RateLimitGuard } from 'nest-tier-rate-limit';
import { CreateWidgetDto } from './create-widget.dto.js';
import { type Widget, WidgetsService } from './widgets.service.js';

/** The demo's rate-limited resource. */
@Controller('widgets')
@UseGuards(RateLimitGuard)
export class WidgetsController {
  constructor(private readonly widgets: WidgetsService) {}

  @Get()
  list(): Widget[] {
    return this.widgets.list();
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number): Widget {
    return this.widgets.get(id);
  }

  /** Creating costs more than reading: a tighter default in code, which operator rules override. */
  @Post()
  @RateLimited({ limit: 20, period: 60 })
  create(@Body() dto: CreateWidgetDto): Widget {
    return this.widgets.create(dto);
  }
}
