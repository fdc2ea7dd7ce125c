import type {
  V1Container,
  V1CronJob,
  V1EnvVar,
  V1Job,
  V1JobTemplateSpec,
  V1PodSecurityContext,
  V1ResourceRequirements,
  V1SecurityContext,
} from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import type { ArgvParser, KubernetesJobRow } from './kubernetes-job-row';
import { jsonObjectOf, stringMapOf } from '@runstream/clickhouse';
import { cronJobNameFor, labelValue, namespaceFor } from './kubernetes-names';

export const LABEL = {
  managedBy: 'app.kubernetes.io/managed-by',
  org: 'runstream.dev/org',
  project: 'runstream.dev/project',
  jobId: 'runstream.dev/job-id',
  runId: 'runstream.dev/run-id',
} as const;
export const MANAGED_BY = 'runstream-control';
/** The label the Job controller puts on a Job's pods: the Job's name. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** Labels carry cleaned values; these annotations carry the exact ids. */
export const ANNOTATION = { org: 'runstream.dev/org', project: 'runstream.dev/project', jobId: 'runstream.dev/job-id', runId: 'runstream.dev/run-id' } as const;
export const RUNNER_CONTAINER = 'runner';
export const OURS_SELECTOR = `${LABEL.managedBy}=${MANAGED_BY},${LABEL.jobId}`;

export type ManifestConfig = Pick<
  KubernetesConfig,
  'namespacePrefix' | 'runnerImage' | 'ingestUrl' | 'tokenSecret' | 'gateway' | 'concurrencyPolicy' | 'startingDeadlineSeconds'
>;

export function jobLabels(job: Pick<KubernetesJobRow, 'org_id' | 'project_id' | 'id'>): Record<string, string> {
  return {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.org]: labelValue(job.org_id),
    [LABEL.project]: labelValue(job.project_id),
    [LABEL.jobId]: labelValue(job.id),
  };
}

function jobAnnotations(job: Pick<KubernetesJobRow, 'org_id' | 'project_id' | 'id'>): Record<string, string> {
  return { [ANNOTATION.org]: job.org_id, [ANNOTATION.project]: job.project_id, [ANNOTATION.jobId]: job.id };
}

function quantities(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const out: Record<string, string> = {};
  for (const [key, quantity] of Object.entries(value)) {
    if (typeof quantity === 'string' || typeof quantity === 'number') out[key] = String(quantity);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `{ requests?, limits? }` as Kubernetes spells them; flat `{ cpu, memory }` means requests. */
export function resourcesOf(json: string): V1ResourceRequirements | undefined {
  const raw = jsonObjectOf(json);
  const nested = 'requests' in raw || 'limits' in raw;
  const requests = quantities(nested ? raw.requests : raw);
  const limits = nested ? quantities(raw.limits) : undefined;
  if (!requests && !limits) return undefined;
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/** The job's own variables, sorted; RUNSTREAM_* names are the runner's and cannot be overridden. */
function userEnv(json: string): V1EnvVar[] {
  return Object.entries(stringMapOf(json))
    .filter(([name]) => !name.startsWith('RUNSTREAM_'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

function runnerEnv(job: KubernetesJobRow, config: ManifestConfig): V1EnvVar[] {
  return [
    { name: 'RUNSTREAM_INGEST_URL', value: config.ingestUrl },
    { name: 'RUNSTREAM_GATEWAY_TOKEN', valueFrom: { secretKeyRef: { name: config.tokenSecret.name, key: config.tokenSecret.key } } },
    // The gateway that token must be of: a scheduled pod names it when it creates its run, so a token of another gateway is refused.
    { name: 'RUNSTREAM_GATEWAY', value: config.gateway },
    { name: 'RUNSTREAM_PROJECT_ID', value: job.project_id },
    { name: 'RUNSTREAM_JOB_ID', value: job.id },
    // The run's cronjob_name is the job's name, as on the local backend (the reference's filter value), not the CronJob object's.
    { name: 'RUNSTREAM_CRONJOB_NAME', value: job.name },
    { name: 'RUNSTREAM_TRIGGERED_BY', value: 'scheduled' },
    { name: 'RUNSTREAM_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    // The Job's name, which the CronJob controller derives from the scheduled time: the run's job_name.
    { name: 'RUNSTREAM_K8S_JOB_NAME', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_NAME_LABEL}']` } } },
  ];
}

/**
 * A tenant's program runs in these pods: restricted as the apps' own Deployments are (the
 * Kubernetes "restricted" Pod Security Standard), so it cannot gain privileges or capabilities.
 * The runner image runs as a numeric non-root user (docs/kubernetes.md, runner image).
 */
export const RUNNER_POD_SECURITY: V1PodSecurityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
export const RUNNER_CONTAINER_SECURITY: V1SecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function jobTemplate(job: KubernetesJobRow, config: ManifestConfig, argv: string[]): V1JobTemplateSpec {
  const resources = resourcesOf(job.resources);
  const container: V1Container = {
    name: RUNNER_CONTAINER,
    image: config.runnerImage,
    // The image's entrypoint is the runner; it runs these args as the job's process, without a shell.
    args: argv,
    env: [...runnerEnv(job, config), ...userEnv(job.environment)],
    securityContext: RUNNER_CONTAINER_SECURITY,
    ...(resources ? { resources } : {}),
  };
  return {
    metadata: { labels: jobLabels(job), annotations: jobAnnotations(job) },
    spec: {
      // A failed run is reported failed, not silently retried under a new run.
      backoffLimit: 0,
      template: {
        metadata: { labels: jobLabels(job) },
        spec: { restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: RUNNER_POD_SECURITY, containers: [container] },
      },
    },
  };
}

/**
 * A time zone as the tz database spells it: the API accepts what Intl accepts (`europe/berlin`,
 * `utc`), and Kubernetes looks names up case-sensitively (Go's time.LoadLocation).
 */
export function tzDatabaseName(timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return timezone;
  }
}

/** The CronJob a job row should have. */
export function desiredCronJob(job: KubernetesJobRow, config: ManifestConfig, parseArgv: ArgvParser): V1CronJob {
  const name = cronJobNameFor(job.project_id, job.name);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name,
      namespace: namespaceFor(config.namespacePrefix, job.org_id),
      labels: jobLabels(job),
      annotations: jobAnnotations(job),
    },
    spec: {
      schedule: job.schedule,
      timeZone: tzDatabaseName(job.timezone || 'UTC'),
      suspend: !job.enabled,
      concurrencyPolicy: config.concurrencyPolicy,
      startingDeadlineSeconds: config.startingDeadlineSeconds,
      jobTemplate: jobTemplate(job, config, parseArgv(job.command)),
    },
  };
}

/**
 * A one-off Job from a CronJob's template, as `kubectl create job --from=cronjob/…` makes it,
 * carrying the run it executes (RUNSTREAM_RUN_ID) and, when given, the run's own argv.
 */
export function jobFromCronJob(cronJob: V1CronJob, jobName: string, runId: string, argv?: string[]): V1Job {
  const template = structuredClone(cronJob.spec?.jobTemplate ?? {});
  const podSpec = template.spec?.template.spec;
  for (const container of podSpec?.containers ?? []) {
    if (container.name !== RUNNER_CONTAINER) continue;
    const env = (container.env ?? []).filter((v) => v.name !== 'RUNSTREAM_RUN_ID' && v.name !== 'RUNSTREAM_TRIGGERED_BY');
    container.env = [...env, { name: 'RUNSTREAM_RUN_ID', value: runId }, { name: 'RUNSTREAM_TRIGGERED_BY', value: 'manual' }];
    if (argv) container.args = argv;
  }
  const uid = cronJob.metadata?.uid;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName,
      namespace: cronJob.metadata?.namespace,
      labels: { ...template.metadata?.labels, [LABEL.runId]: labelValue(runId) },
      annotations: { ...template.metadata?.annotations, [ANNOTATION.runId]: runId, 'cronjob.kubernetes.io/instantiate': 'manual' },
      ...(uid ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata?.name ?? '', uid, controller: true }] } : {}),
    },
    spec: template.spec,
  };
}
