import { JobCommandOutcome, JobCommandRow, JobRow, toChDateTime } from '@runstream/clickhouse';
import { AnyJobEvent, JobSpec } from '@runstream/events';
import { SECRET_MASK, specOf } from '../job.response';
import { jobRuleProblems } from '../validation/job-rules';

export interface LogPosition {
  partition: number;
  offset: string;
}

/** Every row (deleted ones too) of one project, by job id: the fold's state while it decides. */
export type ProjectJobs = Map<string, JobRow>;

export interface FoldDecision {
  /** The job's new state, when the command changed it. */
  row?: JobRow;
  command: JobCommandRow;
}

function decision(event: AnyJobEvent, outcome: JobCommandOutcome, reason: string, decidedAt: Date, row?: JobRow): FoldDecision {
  const command: JobCommandRow = {
    org_id: event.org_id,
    project_id: event.project_id,
    request_id: event.payload.request_id,
    job_id: event.job_id,
    outcome,
    reason,
    decided_at: toChDateTime(decidedAt),
    // The state it was decided on: filled in by the fold service, which holds the project's rows.
    state_offset: null,
  };
  return { row, command };
}

/** The signing secrets of a row: only creates and rotations set them; every other command carries them over. */
type WebhookSecrets = Pick<JobRow, 'webhook_secret' | 'webhook_previous_secret' | 'webhook_previous_secret_expires_at'>;

const NO_SECRETS: WebhookSecrets = { webhook_secret: '', webhook_previous_secret: '', webhook_previous_secret_expires_at: null };

function secretsOf(row: JobRow): WebhookSecrets {
  return {
    webhook_secret: row.webhook_secret,
    webhook_previous_secret: row.webhook_previous_secret,
    webhook_previous_secret_expires_at: row.webhook_previous_secret_expires_at,
  };
}

/**
 * Since when a job's schedule stands once `next` is folded onto `current`: the change's time when
 * it is new or changes schedule, timezone or enabled; else as it was (rows written before
 * schedule_since existed: their last change is the best bound known).
 */
function scheduleSince(current: JobRow | undefined, next: JobSpec, at: string): string {
  if (!current || next.schedule !== current.schedule || next.timezone !== current.timezone || (next.enabled ? 1 : 0) !== current.enabled) return at;
  return current.schedule_since ?? current.updated_at;
}

/** The job's row after `event`, folded onto `current` (undefined: the event creates it). */
function toRow(event: AnyJobEvent, spec: JobSpec, secrets: WebhookSecrets, position: LogPosition, current: JobRow | undefined, deleted: boolean): JobRow {
  const at = toChDateTime(event.occurred_at);
  return {
    org_id: event.org_id,
    project_id: event.project_id,
    id: event.job_id,
    name: spec.name,
    description: spec.description,
    command: spec.command,
    schedule: spec.schedule,
    timezone: spec.timezone,
    enabled: spec.enabled ? 1 : 0,
    resources: JSON.stringify(spec.resources),
    environment: JSON.stringify(spec.environment),
    slack_channel: spec.slack_channel,
    slack_alerts_enabled: spec.slack_alerts_enabled ? 1 : 0,
    slack_alert_on_success: spec.slack_alert_on_success ? 1 : 0,
    webhook_url: spec.webhook_url,
    webhook_headers: JSON.stringify(spec.webhook_headers),
    webhook_events: spec.webhook_events,
    webhook_enabled: spec.webhook_enabled ? 1 : 0,
    ...secrets,
    deleted: deleted ? 1 : 0,
    created_at: current?.created_at ?? at,
    updated_at: at,
    schedule_since: scheduleSince(current, spec, at),
    last_request_id: event.payload.request_id,
    kafka_partition: position.partition,
    kafka_offset: position.offset,
  };
}

/**
 * Live jobs a project may hold. Decided by the fold, the project's single writer, so it holds
 * exactly under concurrent creates; fixed in code, since a replay must decide as the first fold did
 * (a log written before the cap, with a project past it, would replay its later creates as `full`).
 */
export const MAX_LIVE_JOBS_PER_PROJECT = 1_000;

function liveJobs(jobs: ProjectJobs): number {
  let live = 0;
  for (const row of jobs.values()) if (row.deleted === 0) live += 1;
  return live;
}

/** The live job (not this one) holding `name` in the project, if any. */
function holder(jobs: ProjectJobs, name: string, except: string): JobRow | undefined {
  for (const row of jobs.values()) if (row.deleted === 0 && row.name === name && row.id !== except) return row;
  return undefined;
}

/** A masked value sent back (a client PUTting what it read) keeps the stored secret of that key. */
function unmasked(next: Record<string, string>, stored: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(next).map(([key, value]) => [key, value === SECRET_MASK && key in stored ? stored[key] : value]));
}

function merged(current: JobSpec, changes: Partial<JobSpec>): JobSpec {
  const next = { ...current, ...changes };
  if (changes.environment) next.environment = unmasked(changes.environment, current.environment);
  if (changes.webhook_headers) next.webhook_headers = unmasked(changes.webhook_headers, current.webhook_headers);
  return next;
}

/**
 * True when the row already holds this event's effect: a replayed flush whose job rows were
 * written but whose decisions were not. (Rows of one project all come from one partition.)
 */
function alreadyFolded(row: JobRow | undefined, position: LogPosition): boolean {
  return row !== undefined && row.kafka_partition === position.partition && BigInt(row.kafka_offset) >= BigInt(position.offset);
}

/**
 * Decides one command against the project's jobs, in log order: the single writer of the
 * project's partition, so a name is given to exactly one job however many instances race.
 * Pure: the caller loads the state, applies the returned row to it, and writes both.
 */
export function foldJobEvent(jobs: ProjectJobs, event: AnyJobEvent, position: LogPosition, decidedAt: Date): FoldDecision {
  const current = jobs.get(event.job_id);
  if (alreadyFolded(current, position)) return decision(event, 'applied', 'already folded', decidedAt);
  switch (event.type) {
    case 'job.created': {
      if (current) return decision(event, 'conflict', `job id ${event.job_id} already exists`, decidedAt);
      const taken = holder(jobs, event.payload.spec.name, event.job_id);
      if (taken) return decision(event, 'conflict', `a job named "${taken.name}" already exists in this project (${taken.id})`, decidedAt);
      if (liveJobs(jobs) >= MAX_LIVE_JOBS_PER_PROJECT) {
        return decision(event, 'full', `the project holds ${MAX_LIVE_JOBS_PER_PROJECT} jobs, the most a project may: delete one first`, decidedAt);
      }
      const secrets = { ...NO_SECRETS, webhook_secret: event.payload.webhook_secret ?? '' };
      const row = toRow(event, event.payload.spec, secrets, position, undefined, false);
      return decision(event, 'applied', '', decidedAt, row);
    }
    case 'job.updated': {
      if (!current || current.deleted === 1) return decision(event, 'not_found', `job ${event.job_id} not found`, decidedAt);
      const spec = specOf(current);
      const next = merged(spec, event.payload.changes);
      // The handler checked the rules against the job it read; a change folded since may break them.
      const problems = jobRuleProblems(next);
      if (problems.length > 0) return decision(event, 'refused', JSON.stringify(problems), decidedAt);
      const taken = holder(jobs, next.name, event.job_id);
      if (taken) return decision(event, 'conflict', `a job named "${taken.name}" already exists in this project (${taken.id})`, decidedAt);
      // Nothing changed: no new version, updated_at stays when the job last changed.
      if (JSON.stringify(next) === JSON.stringify(spec)) return decision(event, 'applied', 'unchanged', decidedAt);
      return decision(event, 'applied', '', decidedAt, toRow(event, next, secretsOf(current), position, current, false));
    }
    case 'job.deleted': {
      if (!current || current.deleted === 1) return decision(event, 'not_found', `job ${event.job_id} not found`, decidedAt);
      // A deleted job keeps its name and command for past runs' sake, not its secrets: no one
      // reads them again, and every read of the project's rows would carry them.
      const spec = { ...specOf(current), environment: {}, webhook_headers: {} };
      return decision(event, 'applied', '', decidedAt, toRow(event, spec, NO_SECRETS, position, current, true));
    }
    case 'job.webhook_secret_rotated': {
      if (!current || current.deleted === 1) return decision(event, 'not_found', `job ${event.job_id} not found`, decidedAt);
      const secrets = {
        webhook_secret: event.payload.webhook_secret,
        webhook_previous_secret: current.webhook_secret,
        webhook_previous_secret_expires_at: current.webhook_secret ? toChDateTime(event.payload.previous_expires_at) : null,
      };
      return decision(event, 'applied', '', decidedAt, toRow(event, specOf(current), secrets, position, current, false));
    }
    case 'job.webhook_disabled': {
      // The notifier does not wait on this decision; a job gone or already off is left as it is.
      if (!current || current.deleted === 1 || current.webhook_enabled === 0) return decision(event, 'applied', 'unchanged', decidedAt);
      // The 410 came from a URL the job no longer posts to: the new one has not been refused.
      if (current.webhook_url !== event.payload.webhook_url) return decision(event, 'applied', 'url changed', decidedAt);
      const spec = { ...specOf(current), webhook_enabled: false };
      return decision(event, 'applied', '', decidedAt, toRow(event, spec, secretsOf(current), position, current, false));
    }
  }
}
