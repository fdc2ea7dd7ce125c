import { cronJobDrift } from './cronjob-drift';
import { desiredCronJob, jobFromCronJob, resourcesOf, RUNNER_CONTAINER } from './cronjob-manifest';
import type { KubernetesJobRow } from './kubernetes-job-row';

const config = {
  namespacePrefix: 'runstream-',
  runnerImage: 'ghcr.io/runstream/runner:1',
  ingestUrl: 'http://ingest:3000',
  tokenSecret: { name: 'runstream-gateway-token', key: 'token' },
  gateway: 'kubernetes',
  concurrencyPolicy: 'Forbid' as const,
  startingDeadlineSeconds: 300,
};
const split = (command: string) => command.split(' ');
const job: KubernetesJobRow = {
  org_id: 'acme',
  project_id: 'analytics',
  id: 'job_0192f0c0a1b2c3d4e5f60718293a4b5c',
  name: 'nightly-refresh',
  command: 'dbt build --select core',
  schedule: '0 2 * * *',
  timezone: 'Europe/Paris',
  enabled: 1,
  resources: '{"requests":{"cpu":"500m"},"limits":{"memory":"1Gi"}}',
  environment: '{"B":"2","A":"1","RUNSTREAM_JOB_ID":"spoofed"}',
  deleted: 0,
};

function runner(cronJob: ReturnType<typeof desiredCronJob>) {
  return cronJob.spec!.jobTemplate.spec!.template.spec!.containers.find((c) => c.name === RUNNER_CONTAINER)!;
}

describe('desiredCronJob', () => {
  it('maps a job row to its CronJob', () => {
    const cronJob = desiredCronJob(job, config, split);
    expect(cronJob.metadata).toMatchObject({ name: 'analytics-nightly-refresh', namespace: 'runstream-acme' });
    expect(cronJob.metadata!.labels).toMatchObject({ 'runstream.dev/org': 'acme', 'runstream.dev/project': 'analytics', 'runstream.dev/job-id': job.id });
    expect(cronJob.spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'Europe/Paris', suspend: false, concurrencyPolicy: 'Forbid' });
    // Kubernetes reads time zones case-sensitively; the API takes any case Intl takes.
    expect(desiredCronJob({ ...job, timezone: 'europe/paris' }, config, split).spec?.timeZone).toBe('Europe/Paris');
    expect(desiredCronJob({ ...job, timezone: '' }, config, split).spec?.timeZone).toBe('UTC');
    const container = runner(cronJob);
    expect(container.args).toEqual(['dbt', 'build', '--select', 'core']);
    expect(container.command).toBeUndefined();
    expect(container.resources).toEqual({ requests: { cpu: '500m' }, limits: { memory: '1Gi' } });
    const env = container.env!;
    expect(env.find((v) => v.name === 'RUNSTREAM_GATEWAY_TOKEN')!.valueFrom).toEqual({ secretKeyRef: { name: 'runstream-gateway-token', key: 'token' } });
    expect(env.filter((v) => v.name === 'RUNSTREAM_JOB_ID')).toEqual([{ name: 'RUNSTREAM_JOB_ID', value: job.id }]);
    expect(env.find((v) => v.name === 'RUNSTREAM_GATEWAY')?.value).toBe('kubernetes');
    // Scheduled runs carry the job's name as cronjob_name, as on the local backend (the runs list filters by it).
    expect(env.find((v) => v.name === 'RUNSTREAM_CRONJOB_NAME')?.value).toBe('nightly-refresh');
    expect(env.slice(-2)).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(env.some((v) => v.name === 'RUNSTREAM_RUN_ID')).toBe(false);
    // The tenant's program runs here: no root, no privilege escalation, no capabilities, the runtime's seccomp profile.
    expect(cronJob.spec!.jobTemplate.spec!.template.spec!.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('suspends a disabled job', () => {
    expect(desiredCronJob({ ...job, enabled: 0 }, config, split).spec!.suspend).toBe(true);
  });

  it('reads flat resources as requests and ignores malformed JSON', () => {
    expect(resourcesOf('{"cpu":"1","memory":"512Mi"}')).toEqual({ requests: { cpu: '1', memory: '512Mi' } });
    expect(resourcesOf('not json')).toBeUndefined();
    expect(resourcesOf('{}')).toBeUndefined();
  });
});

describe('cronJobDrift', () => {
  it('is empty for the desired object itself and for server-added fields', () => {
    const desired = desiredCronJob(job, config, split);
    const served = structuredClone(desired);
    served.metadata!.labels!['team'] = 'data';
    served.spec!.successfulJobsHistoryLimit = 3;
    runner(served).imagePullPolicy = 'IfNotPresent';
    runner(served).env!.find((v) => v.name === 'RUNSTREAM_NAMESPACE')!.valueFrom!.fieldRef!.apiVersion = 'v1';
    expect(cronJobDrift(desired, served)).toEqual([]);
  });

  it('names each managed field that drifted', () => {
    const desired = desiredCronJob(job, config, split);
    const edited = structuredClone(desired);
    edited.spec!.schedule = '*/5 * * * *';
    edited.spec!.suspend = true;
    runner(edited).args = ['dbt', 'run'];
    runner(edited).env!.push({ name: 'C', value: '3' });
    edited.metadata!.labels!['runstream.dev/project'] = 'other';
    edited.spec!.jobTemplate.spec!.template.spec!.securityContext = undefined;
    runner(edited).securityContext = { privileged: true };
    expect(cronJobDrift(desired, edited)).toEqual([
      'metadata.labels',
      'spec.schedule',
      'spec.suspend',
      'pod.securityContext',
      'runner.args',
      'runner.env',
      'runner.securityContext',
    ]);
  });
});

describe('jobFromCronJob', () => {
  it('copies the template and adds the run id, the manual trigger and the owner', () => {
    const cronJob = desiredCronJob(job, config, split);
    cronJob.metadata!.uid = 'uid-1';
    const k8sJob = jobFromCronJob(cronJob, 'analytics-nightly-refresh-20260428-120000', 'run_abc');
    expect(k8sJob.metadata).toMatchObject({ name: 'analytics-nightly-refresh-20260428-120000', namespace: 'runstream-acme' });
    expect(k8sJob.metadata!.labels).toMatchObject({ 'runstream.dev/job-id': job.id, 'runstream.dev/run-id': 'run_abc' });
    expect(k8sJob.metadata!.ownerReferences).toEqual([
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'analytics-nightly-refresh', uid: 'uid-1', controller: true },
    ]);
    const env = k8sJob.spec!.template.spec!.containers[0].env!;
    expect(env.filter((v) => v.name === 'RUNSTREAM_TRIGGERED_BY')).toEqual([{ name: 'RUNSTREAM_TRIGGERED_BY', value: 'manual' }]);
    expect(env).toContainEqual({ name: 'RUNSTREAM_RUN_ID', value: 'run_abc' });
    expect(runner(cronJob).env!.some((v) => v.name === 'RUNSTREAM_RUN_ID')).toBe(false);
  });

  it('runs an override argv when given', () => {
    const k8sJob = jobFromCronJob(desiredCronJob(job, config, split), 'j', 'run_1', ['dbt', 'test']);
    expect(k8sJob.spec!.template.spec!.containers[0].args).toEqual(['dbt', 'test']);
  });
});
