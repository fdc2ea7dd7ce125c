import 'reflect-metadata';
import { loadMaterializerConfig } from './config/materializer.config';
import { createMaterializerApp } from './materializer.app';

async function main(): Promise<void> {
  const config = loadMaterializerConfig();
  await createMaterializerApp(config, process.env.LOG_LEVEL);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
