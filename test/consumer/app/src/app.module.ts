import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitModule } from 'nest-tier-rate-limit';
import { RateLimitAdminModule } from 'nest-tier-rate-limit/admin';
import {
  RateLimitRuleCache,
  RateLimitRulesModule,
  rateLimitMigrations,
} from 'nest-tier-rate-limit/rules';
import { HostAuthGuard, type HostUser } from './host-auth.guard.js';
import { ItemsController } from './items.controller.js';

/** A host app as its README tells it to be built: its own database, Redis and auth. */
@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      autoLoadEntities: true,
      migrations: rateLimitMigrations,
      migrationsRun: true,
    }),
    RateLimitRulesModule.forRoot({ refreshIntervalMs: 1000 }),
    RateLimitModule.forRootAsync({
      inject: [RateLimitRuleCache],
      useFactory: (rules: RateLimitRuleCache) => ({
        store: 'redis',
        redis: { url: process.env.REDIS_URL },
        keyPrefix: `consumer-${process.pid}-${Date.now()}`,
        ruleResolver: rules,
      }),
    }),
    RateLimitAdminModule.forRoot({
      path: 'admin',
      ui: true,
      canWrite: (request) => (request as { user?: HostUser }).user?.isSuperuser === true,
    }),
  ],
  controllers: [ItemsController],
  providers: [{ provide: APP_GUARD, useClass: HostAuthGuard }],
})
export class AppModule {}
