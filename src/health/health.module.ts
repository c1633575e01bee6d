import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/** `GET /health`: the API and its dependencies. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
