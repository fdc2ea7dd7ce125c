import 'reflect-metadata';
import { loadNotifierConfig } from './config/notifier.config';
import { createNotifierApp } from './notifier.app';

async function main(): Promise<void> {
  await createNotifierApp(loadNotifierConfig(), process.env.LOG_LEVEL);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
