import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule, type AppModuleExtras } from './app.module.js';
import { configureApp } from './configure-app.js';
import { validateEnv } from './config/env.validation.js';

/** The HTTP adapters the demo runs on. */
export type HttpAdapterName = 'express' | 'fastify';

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** @default 'express' */
  adapter?: HttpAdapterName;
  /** Nest's logger, or `false` for silence. @default Nest's console logger */
  logger?: LoggerService | LogLevel[] | false;
  /** A TypeORM logger (tests count queries with one). */
  databaseLogger?: AppModuleExtras['databaseLogger'];
}

/**
 * Builds the configured (not yet listening) demo app from raw environment variables.
 * @throws Error with one line per invalid variable
 */
export async function createApp(
  rawEnv: Record<string, string | undefined>,
  { adapter = 'express', logger, databaseLogger }: CreateAppOptions = {},
): Promise<{ app: INestApplication; port: number }> {
  const env = validateEnv(rawEnv);
  const module = AppModule.forRoot(env, { databaseLogger });
  // Reject instead of aborting the process, so that main.ts can print the reason on one line.
  const options = { abortOnError: false, ...(logger === undefined ? {} : { logger }) };
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), options)
      : await NestFactory.create(module, options);
  return { app: configureApp(app), port: env.port };
}
