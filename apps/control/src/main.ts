import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { listenUrl } from '@runstream/http';
import { loadControlConfig } from './config/control.config';
import { createControlApp } from './control.app';

async function main(): Promise<void> {
  const config = loadControlConfig();
  const app = await createControlApp(config);
  const url = await listenUrl(app, config.http.port, config.http.host);
  new Logger('control').log(`listening on ${url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
