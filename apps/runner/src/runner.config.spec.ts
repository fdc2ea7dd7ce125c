import { ConfigError } from '@runstream/config';
import { loadRunnerConfig } from './runner.config';

const BASE = { RUNSTREAM_INGEST_URL: 'http://ingest.runstream.svc:3000/', RUNSTREAM_GATEWAY_TOKEN: ' rst_gw \n' };
const SCHEDULED = {
  ...BASE,
  RUNSTREAM_PROJECT_ID: 'analytics',
  RUNSTREAM_JOB_ID: 'job_1',
  RUNSTREAM_CRONJOB_NAME: 'nightly',
  RUNSTREAM_NAMESPACE: 'runstream-acme',
  RUNSTREAM_K8S_JOB_NAME: 'analytics-nightly-29412345',
  RUNSTREAM_TRIGGERED_BY: 'scheduled',
  RUNSTREAM_GATEWAY: 'kubernetes',
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadRunnerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadRunnerConfig', () => {
  it("a scheduled pod creates its run under a key naming its Kubernetes Job, with the CronJob template's fields", () => {
    const config = loadRunnerConfig(SCHEDULED);
    expect(config).toMatchObject({ ingestUrl: 'http://ingest.runstream.svc:3000', gatewayToken: 'rst_gw', heartbeatMs: 15_000, killGraceMs: 10_000 });
    expect(config.run).toEqual({
      kind: 'create',
      create: {
        idempotencyKey: 'k8s/runstream-acme/analytics-nightly-29412345',
        body: {
          projectId: 'analytics',
          jobId: 'job_1',
          jobName: 'analytics-nightly-29412345',
          cronjobName: 'nightly',
          namespace: 'runstream-acme',
          triggeredBy: 'scheduled',
          targetGateway: 'kubernetes',
        },
      },
    });
  });

  it('a triggered pod takes the run the control plane created, whatever else is set', () => {
    expect(loadRunnerConfig({ ...SCHEDULED, RUNSTREAM_RUN_ID: 'run_abc', RUNSTREAM_TRIGGERED_BY: 'manual' }).run).toEqual({ kind: 'given', runId: 'run_abc' });
    expect(loadRunnerConfig({ ...BASE, RUNSTREAM_RUN_ID: 'run_abc' }).run).toEqual({ kind: 'given', runId: 'run_abc' });
  });

  it('names each missing or bad variable', () => {
    expect(problems({})).toEqual([
      'RUNSTREAM_INGEST_URL must be an http(s) URL',
      'RUNSTREAM_GATEWAY_TOKEN is required (a gateway token of CONTROL_KUBERNETES_GATEWAY)',
    ]);
    expect(problems({ ...SCHEDULED, RUNSTREAM_TRIGGERED_BY: 'cron' })).toEqual([expect.stringContaining('RUNSTREAM_TRIGGERED_BY must be one of')]);
    expect(problems({ ...SCHEDULED, RUNNER_HEARTBEAT_MS: '10' })).toEqual([expect.stringContaining('RUNNER_HEARTBEAT_MS')]);
  });

  it('refuses a pod with neither a run id nor what creating a run needs', () => {
    const { RUNSTREAM_JOB_ID: _i, RUNSTREAM_NAMESPACE: _n, RUNSTREAM_K8S_JOB_NAME: _j, ...partial } = SCHEDULED;
    expect(problems(partial)).toEqual([
      'RUNSTREAM_JOB_ID is required when RUNSTREAM_RUN_ID is not set (a scheduled pod creates its run)',
      'RUNSTREAM_NAMESPACE is required when RUNSTREAM_RUN_ID is not set (a scheduled pod creates its run)',
      'RUNSTREAM_K8S_JOB_NAME is required when RUNSTREAM_RUN_ID is not set (a scheduled pod creates its run)',
    ]);
  });
});
