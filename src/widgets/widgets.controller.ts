import { Body, Controller, Get, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { RateLimitGuard } from '../rate-limit/index.js';
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

  @Post()
  create(@Body() dto: CreateWidgetDto): Widget {
    return this.widgets.create(dto);
  }
}
