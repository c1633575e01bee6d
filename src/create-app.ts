import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
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
): Promise<{ app: INestApplication; port: number; host: string }> {
  const env = validateEnv(rawEnv);
  const module = AppModule.forRoot(env, { databaseLogger });
  // Reject instead of aborting the process, so that main.ts can print the reason on one line.
  const options = { abortOnError: false, ...(logger === undefined ? {} : { logger }) };
  let app: INestApplication;
  if (adapter === 'fastify') {
    app = await NestFactory.create(module, new FastifyAdapter(), options);
  } else {
    const express = await NestFactory.create<NestExpressApplication>(module, options);
    // Names the framework to anyone who asks; Fastify sends no such header.
    express.disable('x-powered-by');
    app = express;
  }
  return { app: configureApp(app), port: env.port, host: env.host };
}
