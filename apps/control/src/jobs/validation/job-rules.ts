import { FieldError } from '@runstream/http';
import { JOB_SPEC_DEFAULTS, JobSpec } from '@runstream/events';
import { commandTool } from './command';

/** Fields only dbt jobs may set (a job is a dbt job when its command starts with `dbt`). */
export const DBT_ONLY_FIELDS = ['webhook_url', 'webhook_headers', 'webhook_events', 'webhook_enabled'] as const;

/**
 * Rules across fields, on the job as it would be after the write: a SQLMesh job keeps every
 * dbt-only field at its default (so a PUT that turns a dbt job with webhooks into a SQLMesh
 * job must clear them in the same request).
 */
export function jobRuleProblems(spec: JobSpec): FieldError[] {
  if (commandTool(spec.command) !== 'sqlmesh') return [];
  return DBT_ONLY_FIELDS.filter((field) => JSON.stringify(spec[field]) !== JSON.stringify(JOB_SPEC_DEFAULTS[field])).map((field) => ({
    field,
    reasons: [`${field} is for dbt jobs only; this job's command runs sqlmesh`],
  }));
}
