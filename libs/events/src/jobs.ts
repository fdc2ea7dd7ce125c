/**
 * Job definitions are event-sourced like runs (docs/jobs.md, "How writes work"): every change is a
 * command event on jobs.events.v1, keyed by `${org_id}/${project_id}` so all commands on one
 * project's jobs land on one partition, whose consumer (the jobs fold) is the single writer
 * that decides them (unique names, unknown jobs).
 */

import { SCHEMA_VERSION } from './envelope';
import { uuidv7 } from './uuidv7';

export const JOB_EVENTS_TOPIC = 'jobs.events.v1';
/** Where the jobs fold puts a message it cannot decode, as the materializer does with runs.events.dlq.v1. */
export const JOB_EVENTS_DLQ_TOPIC = 'jobs.events.dlq.v1';

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
  /**
   * The job's Standard Webhooks signing secret (`whsec_...`), shown once in the create answer.
   * Every create carries one; optional because creates logged before signing existed have none.
   */
  webhook_secret?: string;
}

/** Only the fields the PUT supplied; a supplied object (environment, ...) replaces the stored one. */
export interface JobUpdatedPayload {
  request_id: string;
  changes: Partial<JobSpec>;
}

export interface JobDeletedPayload {
  request_id: string;
}

/** A new signing secret; the one it replaces keeps signing until `previous_expires_at`. */
export interface JobWebhookSecretRotatedPayload {
  request_id: string;
  webhook_secret: string;
  /** RFC 3339. */
  previous_expires_at: string;
}

/** The notifier turns a job's webhook off when its receiver answers 410 Gone. */
export interface JobWebhookDisabledPayload {
  request_id: string;
  /** The URL that answered 410: a job whose URL changed since keeps its webhook on. */
  webhook_url: string;
  reason: string;
}

export interface JobEventPayloads {
  'job.created': JobCreatedPayload;
  'job.updated': JobUpdatedPayload;
  'job.deleted': JobDeletedPayload;
  'job.webhook_secret_rotated': JobWebhookSecretRotatedPayload;
  'job.webhook_disabled': JobWebhookDisabledPayload;
}

export type JobEventType = keyof JobEventPayloads;
export const JOB_EVENT_TYPES: readonly JobEventType[] = ['job.created', 'job.updated', 'job.deleted', 'job.webhook_secret_rotated', 'job.webhook_disabled'];

/** A Standard Webhooks secret as newWebhookSecret (libs/webhooks) makes them: `whsec_` + base64. */
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
export const MAX_WEBHOOK_SECRET_LENGTH = 128;
export const MAX_WEBHOOK_DISABLED_REASON_LENGTH = 1024;
/** How long a rotated-out secret keeps signing, so receivers can switch without dropping deliveries. */
export const WEBHOOK_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;
/** The actor of the events the notifier publishes. */
export const NOTIFIER_ACTOR = 'notifier';

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

/** `req_` + 32 hex: the id a command is decided under in job_commands. */
export function newJobRequestId(now: number = Date.now()): string {
  return `req_${uuidv7(now).replace(/-/g, '')}`;
}

export interface WebhookDisabledInput {
  orgId: string;
  projectId: string;
  jobId: string;
  /** The URL that answered 410. */
  webhookUrl: string;
  reason: string;
  now: Date;
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair (the schema refuses those). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).replace(/[\uD800-\uDBFF]$/, '');
}

/** The event the notifier publishes (key jobEventKey(orgId, projectId)) when a receiver answers 410 Gone. */
export function webhookDisabledEvent(input: WebhookDisabledInput): JobEventEnvelope<'job.webhook_disabled'> {
  const at = input.now.getTime();
  return {
    event_id: uuidv7(at),
    type: 'job.webhook_disabled',
    schema_version: SCHEMA_VERSION,
    org_id: input.orgId,
    project_id: input.projectId,
    job_id: input.jobId,
    occurred_at: input.now.toISOString(),
    actor: NOTIFIER_ACTOR,
    payload: { request_id: newJobRequestId(at), webhook_url: input.webhookUrl, reason: clip(input.reason, MAX_WEBHOOK_DISABLED_REASON_LENGTH) },
  };
}
