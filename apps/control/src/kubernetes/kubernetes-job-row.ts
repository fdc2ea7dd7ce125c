/**
 * The fields of a `jobs` row (JobRow, libs/clickhouse/src/tables/jobs.table.ts) this backend
 * reads. Structural, so a JobRow fits it as is. ClickHouse answers UInt8 booleans as 0/1.
 */
export interface KubernetesJobRow {
  org_id: string;
  project_id: string;
  id: string;
  name: string;
  command: string;
  schedule: string;
  timezone: string;
  enabled: number | boolean;
  /** JSON object: Kubernetes requests/limits (docs/kubernetes.md). */
  resources: string;
  /** JSON object string → string. */
  environment: string;
  deleted: number | boolean;
}

/** Splits a job's command into argv without a shell; bind control-api's parser (the one its validation uses). */
export type ArgvParser = (command: string) => string[];

/** Every job row, deleted ones included (listAllJobsForReconcile). */
export type JobsForReconcile = () => Promise<KubernetesJobRow[]>;
