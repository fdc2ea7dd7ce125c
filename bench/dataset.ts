/**
 * The query benchmark's data set, generated inside ClickHouse (INSERT … SELECT FROM numbers),
 * because 100 M executions through Kafka would take hours. Rows have exactly the shape the
 * materializer writes (same tables, same migrations); every value is a function of the row
 * number, so a data set grown in steps has the same distribution at every size.
 *
 * Shape: a year of runs ending at `anchor`, 20 organisations, 1,000 projects with a heavy skew
 * (project 0 holds ~10% of all rows, most projects well under 0.1%), 1-20 cronjobs and 20-500
 * models per project, 10 model executions per run. Runs still in progress at `anchor` are
 * `running`; finished runs are 88% success, 6% failed, 2% partial, 2% error, 2% cancelled.
 */
import { ClickHouseStore, column, RunRowSchema } from '@runstream/clickhouse';
import { z } from 'zod';

export const EXECUTIONS_PER_RUN = 10;
export const ORGS = 20;
export const PROJECTS = 1000;
const YEAR_SECONDS = 365 * 86_400;
/** Project p has MIN_MODELS + (p * 37) % MODEL_SPREAD models: 20 to 500. */
const MIN_MODELS = 20;
const MODEL_SPREAD = 481;

/** Uniform in [0, 1), from a hash of the row number and a salt. */
const uniform = (n: string, salt: number) => `(cityHash64(${n}, ${salt}) / 18446744073709551616)`;

/**
 * Every attribute of run `n` that its executions need too, as SELECT-list items. Both
 * generators compute them from the same expressions, so an execution agrees with its run. Run ids
 * have the shape ingest mints (`run_` and a UUIDv7 of the run's creation, in 32 hex digits),
 * with `n` in place of the random bits.
 */
function runAttributes(n: string): string {
  return `
    toUInt32(floor(${PROJECTS} * pow(${uniform(n, 1)}, 3))) AS p,
    concat('org_', toString(p % ${ORGS})) AS org,
    concat('proj_', toString(p)) AS project,
    concat('cron_', toString(cityHash64(${n}, 2) % (1 + p % 20))) AS cron,
    {anchor:DateTime64(3, 'UTC')} - toIntervalMillisecond(toUInt64(${uniform(n, 3)} * ${YEAR_SECONDS * 1000})) AS created,
    created + toIntervalMillisecond(1000 + cityHash64(${n}, 4) % 30000) AS start,
    round(30 + 3570 * pow(${uniform(n, 5)}, 3), 3) AS planned_duration,
    start + toIntervalMillisecond(toUInt64(planned_duration * 1000)) AS planned_end,
    planned_end <= {anchor:DateTime64(3, 'UTC')} AS finished,
    concat('run_', leftPad(lower(hex(toUnixTimestamp64Milli(created))), 12, '0'), '70008', leftPad(lower(hex(${n})), 15, '0')) AS run_id`;
}

/** Appends runs [from, to) and their run_daily rows. */
export async function generateRuns(store: ClickHouseStore, anchor: number, from: number, to: number): Promise<void> {
  await store.command(
    `INSERT INTO {db:Identifier}.runs
       (org_id, project_id, id, job_id, job_name, cronjob_name, namespace, job_type, status, triggered_by, target_gateway,
        claimed_by, claim_id, start_time, end_time, duration_seconds, error_summary, telemetry_summary, created_at, updated_at,
        event_count, last_event_id, kafka_partition, kafka_offset)
     SELECT org, project, run_id, concat('job_', toString(p), '_', cron), concat('sqlmesh-', cron), cron,
            concat('ns-', toString(p)),
            multiIf(${uniform('n', 6)} < 0.9, 'run', ${uniform('n', 6)} < 0.98, 'plan', 'janitor'),
            status, 'scheduled', '', '', '', start,
            if(finished, planned_end, NULL), if(finished, planned_duration, NULL),
            if(status IN ('failed', 'error', 'partial'), concat('model model_', toString(cityHash64(n, 8) % 100), ' failed: relation does not exist'), ''),
            '{}', created, if(finished, planned_end, start), 10, generateUUIDv4(n), 0, n
     FROM (
       SELECT number AS n, ${runAttributes('n')},
              multiIf(NOT finished, 'running', ${uniform('n', 7)} < 0.88, 'success', ${uniform('n', 7)} < 0.94, 'failed',
                      ${uniform('n', 7)} < 0.96, 'partial', ${uniform('n', 7)} < 0.98, 'error', 'cancelled') AS status
       FROM numbers({from:UInt64}, {count:UInt64})
     )`,
    { anchor, from, count: to - from },
  );
  await store.command(
    `INSERT INTO {db:Identifier}.run_daily
     SELECT org_id, project_id, toDate(created_at), cronjob_name, id, status, duration_seconds, kafka_offset
     FROM {db:Identifier}.runs WHERE kafka_offset >= {from:UInt64} AND kafka_offset < {to:UInt64}`,
    { from, to },
  );
}

/** Appends the executions of runs [from, to): ten per run, those started by `anchor`. */
export async function generateExecutions(store: ClickHouseStore, anchor: number, from: number, to: number): Promise<void> {
  await store.command(
    `INSERT INTO {db:Identifier}.model_executions
       (org_id, project_id, model_name, id, job_run_id, cronjob_name, status, started_at, completed_at, duration_seconds,
        rows_processed, bytes_processed, interval_start, interval_end, created_at, updated_at, version)
     SELECT org, project, model, concat('exec_', toString(m)), run_id, cron, status,
            exec_start, exec_end, exec_duration, rows, rows * (100 + cityHash64(m, 12) % 400),
            NULL, NULL, exec_end, exec_end, m
     FROM (
       SELECT number AS m, intDiv(m, ${EXECUTIONS_PER_RUN}) AS n, ${runAttributes('n')},
              ${MIN_MODELS} + (p * 37) % ${MODEL_SPREAD} AS models,
              (cityHash64(n, 9) + (m % ${EXECUTIONS_PER_RUN}) * 7) % models AS model_index,
              concat('model_', leftPad(toString(model_index), 3, '0')) AS model,
              start + toIntervalMillisecond(toUInt64((m % ${EXECUTIONS_PER_RUN}) * planned_duration * 100)) AS exec_start,
              round((1 + cityHash64(p, model_index) % 300) * (0.5 + 2 * pow(${uniform('m', 10)}, 2)), 3) AS exec_duration,
              exec_start + toIntervalMillisecond(toUInt64(exec_duration * 1000)) AS exec_end,
              multiIf(${uniform('m', 11)} < 0.96, 'success', ${uniform('m', 11)} < 0.99, 'failed', 'error') AS status,
              cityHash64(m, 13) % 10000000 AS rows
       FROM numbers({from:UInt64}, {count:UInt64})
     )
     WHERE exec_end <= {anchor:DateTime64(3, 'UTC')}`,
    { anchor, from: from * EXECUTIONS_PER_RUN, count: (to - from) * EXECUTIONS_PER_RUN },
  );
}

/** Merges every table to what background merges leave behind on a table that old. */
export async function mergeDataset(store: ClickHouseStore): Promise<void> {
  for (const table of ['runs', 'run_daily', 'model_executions']) {
    await store.command('OPTIMIZE TABLE {db:Identifier}.{table:Identifier} FINAL', { table });
  }
}

export async function countDataset(store: ClickHouseStore): Promise<{ runs: number; executions: number }> {
  const [row] = await store.query(
    z.object({ runs: column.count, executions: column.count }),
    `SELECT (SELECT count() FROM {db:Identifier}.runs) AS runs, (SELECT count() FROM {db:Identifier}.model_executions) AS executions`,
  );
  return row;
}

const RunSampleSchema = RunRowSchema.pick({ org_id: true, project_id: true, id: true, cronjob_name: true });
export type RunSample = z.infer<typeof RunSampleSchema>;

/** A fixed pseudo-random sample of runs (the same for the same data set). */
/** The same runs in every bench run: kafka_offset is the generator's row number (ids carry the anchor time). */
export function sampleRuns(store: ClickHouseStore, count: number): Promise<RunSample[]> {
  return store.query(
    RunSampleSchema,
    'SELECT org_id, project_id, id, cronjob_name FROM {db:Identifier}.runs ORDER BY cityHash64(kafka_offset) LIMIT {count:UInt32}',
    {
      count,
    },
  );
}

/** Model names project `proj_<p>` has (the generator draws its executions' models from these). */
export function modelsOf(projectId: string): number {
  const p = Number(projectId.slice('proj_'.length));
  return MIN_MODELS + ((p * 37) % MODEL_SPREAD);
}

export function modelName(index: number): string {
  return `model_${String(index).padStart(3, '0')}`;
}

/** Files `exportDataset` writes, and the columns in them (the PostgreSQL peer's tables take this order). */
export const PEER_FILES = { runs: 'runs.tsv', model_executions: 'model_executions.tsv' } as const;

export const PEER_COLUMNS = {
  runs: [
    'org_id',
    'project_id',
    'id',
    'job_id',
    'job_name',
    'cronjob_name',
    'namespace',
    'job_type',
    'status',
    'triggered_by',
    'target_gateway',
    'claimed_by',
    'claim_id',
    'start_time',
    'end_time',
    'duration_seconds',
    'error_summary',
    'telemetry_summary',
    'created_at',
    'updated_at',
    'event_count',
    'last_event_id',
    'kafka_partition',
    'kafka_offset',
  ],
  model_executions: [
    'org_id',
    'project_id',
    'model_name',
    'id',
    'job_run_id',
    'cronjob_name',
    'status',
    'started_at',
    'completed_at',
    'duration_seconds',
    'rows_processed',
    'bytes_processed',
    'interval_start',
    'interval_end',
    'created_at',
    'updated_at',
    'version',
  ],
} as const;

/** Writes every run and execution (latest versions) as TSV, which PostgreSQL's COPY reads as is. */
export async function exportDataset(store: ClickHouseStore, dir: string): Promise<void> {
  for (const table of ['runs', 'model_executions'] as const) {
    await store.command(
      `INSERT INTO FUNCTION file({file:String}, 'TSV') SELECT ${PEER_COLUMNS[table].join(', ')} FROM {db:Identifier}.{table:Identifier} FINAL`,
      { file: `${dir}/${PEER_FILES[table]}`, table },
    );
  }
}
