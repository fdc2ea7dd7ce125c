/**
 * Baseline for the materializer benchmark, run as its own process: fold the same history
 * in memory (not timed), then time inserting the resulting rows straight into ClickHouse
 * with @clickhouse/client, 10,000 rows per insert. Prints { events, rows, ms } as JSON.
 */
import {
  insertModelExecutions,
  insertRunDaily,
  insertRunEvents,
  insertRunLogEntries,
  insertRuns,
  insertRunTelemetrySamples,
  migrate,
  ModelExecutionRow,
  openClickHouse,
  RunEventRow,
  RunLogEntryRow,
  RunRow,
  RunTelemetrySampleRow,
  toRunDailyRow,
} from '@runstream/clickhouse';
import { eventRow } from '../apps/materializer/src/consumer/flush-plan';
import { foldRunEvent } from '../apps/materializer/src/fold/run-fold';
import { runHistory } from './events';

const BATCH = 10_000;

async function main(): Promise<void> {
  const [runs, path] = [Number(process.argv[2]), process.argv[3]];
  const store = openClickHouse({ path, database: 'baseline' });
  await migrate(store);
  const latest = new Map<string, RunRow>();
  const events: RunEventRow[] = [];
  const logs: RunLogEntryRow[] = [];
  const samples: RunTelemetrySampleRow[] = [];
  const executions: ModelExecutionRow[] = [];
  let offset = 0;
  for (let r = 0; r < runs; r += 1) {
    for (const event of runHistory(r)) {
      const position = { partition: 0, offset: String(offset++) };
      events.push(eventRow(event, position));
      const outcome = foldRunEvent(latest.get(event.run_id), event, position);
      if (outcome.kind !== 'applied') continue;
      if (outcome.row) latest.set(event.run_id, outcome.row);
      logs.push(...outcome.logs);
      samples.push(...outcome.samples);
      executions.push(...outcome.executions);
    }
  }
  const runRows = [...latest.values()];
  const tables: [string, (rows: never[]) => Promise<void>, unknown[]][] = [
    ['run_events', (rows) => insertRunEvents(store, rows), events],
    ['runs', (rows) => insertRuns(store, rows), runRows],
    ['run_daily', (rows) => insertRunDaily(store, rows), runRows.map(toRunDailyRow)],
    ['run_log_entries', (rows) => insertRunLogEntries(store, rows), logs],
    ['run_telemetry_samples', (rows) => insertRunTelemetrySamples(store, rows), samples],
    ['model_executions', (rows) => insertModelExecutions(store, rows), executions],
  ];
  const started = Date.now();
  let rows = 0;
  for (const [, insert, all] of tables) {
    for (let i = 0; i < all.length; i += BATCH) await insert(all.slice(i, i + BATCH) as never[]);
    rows += all.length;
  }
  process.stdout.write(JSON.stringify({ events: events.length, rows, ms: Date.now() - started }));
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
