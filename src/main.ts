import { Logger } from '@nestjs/common';
import { loadEnvFile } from './config/load-env-file.js';
import { createApp } from './create-app.js';

/** Starts the demo API: `.env` (if any) under the process environment, validated, then served. */
async function bootstrap(): Promise<void> {
  loadEnvFile();
  let created: Awaited<ReturnType<typeof createApp>>;
  try {
    created = await createApp(process.env);
  } catch (error) {
    // One line per problem (each invalid variable names itself), then a non-zero exit.
    for (const line of String((error as Error).message).split('\n')) console.error(line);
    process.exit(1);
  }
  await created.app.listen(created.port, created.host);
  new Logger('Bootstrap').log(`Demo API listening on ${await created.app.getUrl()}/api/v1`);
}

bootstrap().catch((error: unknown) => {
  // A port in use, a database refusing the migrations…: one line, then a non-zero exit.
  console.error(
    `Demo API failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
