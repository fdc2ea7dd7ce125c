/**
 * The embedded engine's own footprint, run as its own process: open chDB on a fresh directory,
 * apply the migrations, run one query, and print the process's peak RSS in MB. The memory section
 * reports each app's peak apart from this.
 */
import { rmSync } from 'node:fs';
import { anyRow, migrate, openClickHouse } from '@runstream/clickhouse';

async function main(): Promise<void> {
  const path = process.argv[2];
  rmSync(path, { recursive: true, force: true });
  const store = openClickHouse({ path, database: 'footprint' });
  await migrate(store);
  await store.query(anyRow, 'SELECT count() AS n FROM {db:Identifier}.runs', {});
  await store.close();
  rmSync(path, { recursive: true, force: true });
  // resourceUsage().maxRSS is in kilobytes.
  process.stdout.write(JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
