import { Injectable, NotFoundException } from '@nestjs/common';
import type { CreateWidgetDto } from './create-widget.dto.js';

/** A demo resource. */
export interface Widget {
  id: number;
  name: string;
}

/** Most widgets kept, so that the demo's memory stays bounded whatever clients post. */
const MAX_WIDGETS = 1000;

/** Widgets in process memory: the demo needs something to limit, not a data model. */
@Injectable()
export class WidgetsService {
  private readonly widgets = new Map<number, Widget>();
  private nextId = 1;

  list(): Widget[] {
    return [...this.widgets.values()];
  }

  get(id: number): Widget {
    const widget = this.widgets.get(id);
    if (widget === undefined) throw new NotFoundException(`Widget ${id} not found`);
    return widget;
  }

  create(dto: CreateWidgetDto): Widget {
    if (this.widgets.size >= MAX_WIDGETS) this.widgets.delete(this.widgets.keys().next().value!);
    const widget = { id: this.nextId++, name: dto.name };
    this.widgets.set(widget.id, widget);
    return widget;
  }
}
