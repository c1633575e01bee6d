import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp } from './create-app.js';

/** Starts the demo API: `.env` (if any) under the process environment, validated, then served. */
async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let created: Awaited<ReturnType<typeof createApp>>;
  try {
    created = await createApp(process.env);
  } catch (error) {
    // One line per problem (each invalid variable names itself), then a non-zero exit.
    for (const line of String((error as Error).message).split('\n')) console.error(line);
    process.exit(1);
  }
  await created.app.listen(created.port, '0.0.0.0');
  new Logger('Bootstrap').log(`Demo API listening on ${await created.app.getUrl()}/api/v1`);
}

void bootstrap();
