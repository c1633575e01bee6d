import { Module } from '@nestjs/common';
import { WidgetsController } from './widgets.controller.js';
import { WidgetsService } from './widgets.service.js';

/** The demo's example resource, guarded by the rate limiter. */
@Module({ controllers: [WidgetsController], providers: [WidgetsService] })
export class WidgetsModule {}
