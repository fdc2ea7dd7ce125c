import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { listenUrl } from '@runstream/http';
import { loadIngestConfig } from './config/ingest.config';
import { createIngestApp } from './ingest.app';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  const app = await createIngestApp(config);
  const url = await listenUrl(app, config.http.port, config.http.host);
  new Logger('ingest').log(`listening on ${url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
