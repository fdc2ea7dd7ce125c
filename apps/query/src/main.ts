import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { listenUrl } from '@runstream/http';
import { loadQueryConfig } from './config/query.config';
import { createQueryApp } from './query.app';

async function main(): Promise<void> {
  const config = loadQueryConfig();
  const app = await createQueryApp(config);
  const url = await listenUrl(app, config.http.port, config.http.host);
  new Logger('query').log(`listening on ${url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
