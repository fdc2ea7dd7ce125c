/**
 * Job definitions are event-sourced like runs (shared/DESIGN.md decision 9): every change is a
 * command event on jobs.events.v1, keyed by `${org_id}/${project_id}` so all commands on one
 * project's jobs land on one partition, whose consumer (the jobs fold) is the single writer
 * that decides them (unique names, unknown jobs).
 */

export const JOB_EVENTS_TOPIC = 'jobs.events.v1';

/** Job names become part of Kubernetes object names: a DNS label (RFC 1123), at most 63 characters. */
export const JOB_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_JOB_NAME_LENGTH = 63;
export const MAX_JOB_DESCRIPTION_LENGTH = 1024;
export const MAX_JOB_COMMAND_LENGTH = 4096;
export const MAX_JOB_SCHEDULE_LENGTH = 128;
export const MAX_JOB_TIMEZONE_LENGTH = 64;
export const MAX_JOB_ENV_VARS = 100;
export const MAX_JOB_ENV_VALUE_LENGTH = 4096;
export const MAX_JOB_WEBHOOK_HEADERS = 32;
export const MAX_JOB_WEBHOOK_HEADER_VALUE_LENGTH = 1024;
export const MAX_JOB_URL_LENGTH = 2048;
export const MAX_JOB_SLACK_CHANNEL_LENGTH = 80;
/** Outcomes a webhook may subscribe to; `failure` stands for failed, error and partial runs. */
export const JOB_WEBHOOK_EVENTS = ['started', 'success', 'failure', 'cancelled'] as const;
export type JobWebhookEvent = (typeof JOB_WEBHOOK_EVENTS)[number];
/** Kubernetes ResourceRequirements sections and the resources they may name. */
export const JOB_RESOURCE_SECTIONS = ['requests', 'limits'] as const;
export const JOB_RESOURCE_NAMES = ['cpu', 'memory', 'ephemeral-storage'] as const;
/** A Kubernetes quantity in the forms people write: 500m, 2, 0.5, 512Mi, 1G. */
export const RESOURCE_QUANTITY_PATTERN = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

export type JobResourceSection = (typeof JOB_RESOURCE_SECTIONS)[number];
export type JobResourceName = (typeof JOB_RESOURCE_NAMES)[number];
/** Kubernetes container resources: `{ requests: { cpu: '500m' }, limits: { memory: '1Gi' } }`. */
export type JobResources = Partial<Record<JobResourceSection, Partial<Record<JobResourceName, string>>>>;

/** Everything a job definition holds (the reference's Job object without ids and times). */
export interface JobSpec {
  name: string;
  description: string;
  command: string;
  schedule: string;
  /** IANA time zone the schedule is read in. */
  timezone: string;
  enabled: boolean;
  resources: JobResources;
  /** Secret: never answered in clear. */
  environment: Record<string, string>;
  slack_channel: string;
  slack_alerts_enabled: boolean;
  slack_alert_on_success: boolean;
  webhook_url: string;
  /** Secret: never answered in clear. */
  webhook_headers: Record<string, string>;
  webhook_events: JobWebhookEvent[];
  webhook_enabled: boolean;
}

/** Defaults of the optional fields (reference: enabled true, alerts and webhooks off). */
export const JOB_SPEC_DEFAULTS: Omit<JobSpec, 'name' | 'command' | 'schedule'> = {
  description: '',
  timezone: 'UTC',
  enabled: true,
  resources: {},
  environment: {},
  slack_channel: '',
  slack_alerts_enabled: false,
  slack_alert_on_success: false,
  webhook_url: '',
  webhook_headers: {},
  webhook_events: [],
  webhook_enabled: false,
};

/** Every command carries the id the HTTP handler waits for in job_commands. */
export interface JobCreatedPayload {
  request_id: string;
  spec: JobSpec;
}

/** Only the fields the PUT supplied; a supplied object (environment, ...) replaces the stored one. */
export interface JobUpdatedPayload {
  request_id: string;
  changes: Partial<JobSpec>;
}

export interface JobDeletedPayload {
  request_id: string;
}

export interface JobEventPayloads {
  'job.created': JobCreatedPayload;
  'job.updated': JobUpdatedPayload;
  'job.deleted': JobDeletedPayload;
}

export type JobEventType = keyof JobEventPayloads;
export const JOB_EVENT_TYPES: readonly JobEventType[] = ['job.created', 'job.updated', 'job.deleted'];

/** The immutable event on jobs.events.v1, keyed by jobEventKey(org_id, project_id). */
export interface JobEventEnvelope<T extends JobEventType = JobEventType> {
  event_id: string;
  type: T;
  schema_version: number;
  org_id: string;
  project_id: string;
  job_id: string;
  /** Server time of the command, RFC 3339 UTC with milliseconds. */
  occurred_at: string;
  /** Id of the token that made the change. */
  actor: string;
  payload: JobEventPayloads[T];
}

export type AnyJobEvent = { [T in JobEventType]: JobEventEnvelope<T> }[JobEventType];

/** One partition per project: its consumer decides every command on the project's jobs in order. */
export function jobEventKey(orgId: string, projectId: string): string {
  return `${orgId}/${projectId}`;
}
