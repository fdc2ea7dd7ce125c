import { TupleParam } from '@clickhouse/client';
import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';
import { fromChDateTime } from '../time';

export const JOBS_TABLE = 'jobs';
export const JOB_COMMANDS_TABLE = 'job_commands';

/** A row of `jobs` (migrations 0018, 0022, 0036), as inserted and as read back with JSONEachRow. */
/** Booleans are UInt8: 0 or 1. */
const flag = z.union([z.literal(0), z.literal(1)]);

export const JobRowSchema = z.object({
  org_id: column.text,
  project_id: column.text,
  id: column.text,
  name: column.text,
  description: column.text,
  command: column.text,
  schedule: column.text,
  timezone: column.text,
  enabled: flag,
  /** JSON object text (JobResources). */
  resources: column.text,
  /** JSON object text, string to string. Secret. */
  environment: column.text,
  slack_channel: column.text,
  slack_alerts_enabled: flag,
  slack_alert_on_success: flag,
  webhook_url: column.text,
  /** JSON object text, string to string. Secret. */
  webhook_headers: column.text,
  webhook_events: column.texts,
  webhook_enabled: flag,
  /** Standard Webhooks signing secret (`whsec_...`); '' for jobs created before 0022. Secret. */
  webhook_secret: column.text,
  /** The secret the last rotation replaced, still signing until the time below. Secret. */
  webhook_previous_secret: column.text,
  webhook_previous_secret_expires_at: column.dateTime.nullable(),
  deleted: flag,
  created_at: column.dateTime,
  updated_at: column.dateTime,
  /**
   * Since when the job's schedule stands: its creation, or its last change of schedule, timezone or
   * enabled (migration 0036); ticks before it never run. Null in rows written before 0036.
   */
  schedule_since: column.dateTime.nullable().optional(),
  last_request_id: column.text,
  kafka_partition: column.int,
  kafka_offset: column.uint64,
});
export type JobRow = z.infer<typeof JobRowSchema>;

/**
 * The secrets a webhook of this job is signed with at `now`: the current one, and during a
 * rotation's grace period the previous one too, so receivers that still hold it keep verifying.
 */
export function activeWebhookSecrets(
  row: Pick<JobRow, 'webhook_secret' | 'webhook_previous_secret' | 'webhook_previous_secret_expires_at'>,
  now: Date,
): string[] {
  const secrets = row.webhook_secret ? [row.webhook_secret] : [];
  const expiresAt = row.webhook_previous_secret_expires_at;
  if (row.webhook_previous_secret && expiresAt !== null && now.getTime() < Date.parse(fromChDateTime(expiresAt))) secrets.push(row.webhook_previous_secret);
  return secrets;
}

/**
 * `refused`: the change breaks a rule across fields against the job as the fold found it (a
 * concurrent change came first); `reason` holds the field errors as JSON. `full`: a create in a
 * project holding the most live jobs a project may.
 */
export const JOB_COMMAND_OUTCOMES = ['applied', 'conflict', 'not_found', 'refused', 'full'] as const;
export type JobCommandOutcome = (typeof JOB_COMMAND_OUTCOMES)[number];

/** A row of `job_commands` (migration 0019): the fold's decision on one command. */
export const JobCommandRowSchema = z.object({
  org_id: column.text,
  project_id: column.text,
  request_id: column.text,
  job_id: column.text,
  outcome: z.enum(JOB_COMMAND_OUTCOMES),
  reason: column.text,
  decided_at: column.dateTime,
  /**
   * The project's job state the decision was made on: the offset of its newest job row, the
   * decision's own change included (migration 0030); null when the project had no job rows.
   */
  state_offset: column.uint64.nullable(),
});
export type JobCommandRow = z.infer<typeof JobCommandRowSchema>;

export interface ProjectKey {
  org_id: string;
  project_id: string;
}

export function insertJobs(store: ClickHouseStore, rows: readonly JobRow[]): Promise<void> {
  return store.insert(JOBS_TABLE, rows);
}

export function insertJobCommands(store: ClickHouseStore, rows: readonly JobCommandRow[]): Promise<void> {
  return store.insert(JOB_COMMANDS_TABLE, rows);
}

/** The decision on one command, once the fold has written it. */
export async function findJobCommand(store: ClickHouseStore, orgId: string, projectId: string, requestId: string): Promise<JobCommandRow | undefined> {
  const [row] = await store.query(
    JobCommandRowSchema,
    `SELECT * FROM {db:Identifier}.job_commands FINAL
     WHERE org_id = {org:String} AND project_id = {project:String} AND request_id = {request:String} LIMIT 1`,
    { org: orgId, project: projectId, request: requestId },
  );
  return row;
}

/** Decisions already written for these commands (a replayed flush keeps them). */
export async function selectJobCommands(store: ClickHouseStore, keys: readonly (ProjectKey & { request_id: string })[]): Promise<JobCommandRow[]> {
  const rows: JobCommandRow[] = [];
  for (const chunk of store.keyChunks(keys, (k) => [k.org_id, k.project_id, k.request_id])) {
    rows.push(
      ...(await store.query(
        JobCommandRowSchema,
        `SELECT * FROM {db:Identifier}.job_commands FINAL
         WHERE (org_id, project_id, request_id) IN {keys:Array(Tuple(String, String, String))}`,
        { keys: chunk.map((k) => new TupleParam([k.org_id, k.project_id, k.request_id])) },
      )),
    );
  }
  return rows;
}

/**
 * True once the project's job rows hold the state at `offset`: a row version at or past it is
 * readable. The fold writes a flush's rows in one insert (one part: `jobs` has no partitions),
 * so one such row means all of them are.
 */
export async function jobStateReached(store: ClickHouseStore, orgId: string, projectId: string, offset: string): Promise<boolean> {
  const rows = await store.query(
    z.object({ reached: column.int }),
    `SELECT 1 AS reached FROM {db:Identifier}.jobs
     WHERE org_id = {org:String} AND project_id = {project:String} AND kafka_offset >= {offset:UInt64} LIMIT 1`,
    { org: orgId, project: projectId, offset },
  );
  return rows.length > 0;
}

/** The project's live jobs, ordered by name (the Jobs API list). */
export function listProjectJobs(store: ClickHouseStore, orgId: string, projectId: string): Promise<JobRow[]> {
  return store.query(
    JobRowSchema,
    `SELECT * FROM {db:Identifier}.jobs FINAL
     WHERE org_id = {org:String} AND project_id = {project:String} AND deleted = 0
     ORDER BY name, id`,
    { org: orgId, project: projectId },
  );
}

/** How many live jobs an organisation holds, across its projects. */
export async function countOrgJobs(store: ClickHouseStore, orgId: string): Promise<number> {
  const [row] = await store.query(
    z.object({ jobs: column.count }),
    `SELECT count() AS jobs FROM {db:Identifier}.jobs FINAL WHERE org_id = {org:String} AND deleted = 0`,
    { org: orgId },
  );
  return row?.jobs ?? 0;
}

/** One live job; deleted and unknown jobs (and other organisations' jobs) are undefined. */
export async function findJob(store: ClickHouseStore, orgId: string, projectId: string, jobId: string): Promise<JobRow | undefined> {
  const [row] = await store.query(
    JobRowSchema,
    `SELECT * FROM {db:Identifier}.jobs FINAL
     WHERE org_id = {org:String} AND project_id = {project:String} AND id = {id:String} AND deleted = 0 LIMIT 1`,
    { org: orgId, project: projectId, id: jobId },
  );
  return row;
}

/** Every row (deleted ones too) of the given projects: the fold's state for a flush. */
export async function selectJobsByKey(store: ClickHouseStore, projects: readonly ProjectKey[]): Promise<JobRow[]> {
  const rows: JobRow[] = [];
  for (const chunk of store.keyChunks(projects, (k) => [k.org_id, k.project_id])) {
    rows.push(
      ...(await store.query(
        JobRowSchema,
        `SELECT * FROM {db:Identifier}.jobs FINAL
         WHERE (org_id, project_id) IN {keys:Array(Tuple(String, String))}`,
        { keys: chunk.map((k) => new TupleParam([k.org_id, k.project_id])) },
      )),
    );
  }
  return rows;
}

/** All live jobs of every organisation (the scheduler and the Kubernetes reconciler). */
export function listActiveJobs(store: ClickHouseStore): Promise<JobRow[]> {
  return store.query(JobRowSchema, `SELECT * FROM {db:Identifier}.jobs FINAL WHERE deleted = 0 ORDER BY org_id, project_id, id`);
}

/** All jobs, deleted ones included, for the reconciler's full diff. */
export function listAllJobsForReconcile(store: ClickHouseStore): Promise<JobRow[]> {
  return store.query(JobRowSchema, `SELECT * FROM {db:Identifier}.jobs FINAL ORDER BY org_id, project_id, id`);
}
