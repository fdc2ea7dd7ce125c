import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, http, REPO_ROOT } from '@runstream/testing';
import { startK8sMock, type K8sMockProcess } from '../../apps/control/src/kubernetes/k8s-mock.process';
import { createKubernetesClients, type KubernetesClients, type V1Container, type V1CronJob } from '../../apps/control/src/kubernetes/kubernetes.client';
import { StrandedRunSweeper } from '../../apps/control/src/kubernetes/stranded-run.sweeper';
import { STRANDED_GRACE_MS } from '../../apps/control/src/kubernetes/stranded-runs';
import { gatewayRunIdFor } from '../../apps/ingest/src/runs/run.service';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';
import { Pod, runnerOf, startPod as startKubeletPod } from './support-kubelet';

const FAKE_BIN = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin');
const GATEWAY = 'kubernetes';
const SECRET = 'runstream-gateway-token';
const TERMINAL = ['success', 'partial', 'failed', 'error', 'cancelled'];

interface Run {
  id: string;
  status: string;
  claimedBy: string;
  jobId: string;
  jobName: string;
  cronjobName: string;
  namespace: string;
  triggeredBy: string;
  targetGateway: string;
  errorSummary: string;
  logEntries: { level: string; message: string }[];
}

/**
 * The Kubernetes backend end to end, but for the kubelet: the control app reconciles against
 * fabric8's mock API server and creates runs on the real stack (Kafka, chDB, ingest, query);
 * this test then starts each pod as a kubelet would from the CronJob's or Job's container
 * (env resolved from the Secret and the downward API, args as given) by running the runner
 * image's entrypoint program, with a stand-in dbt on the image's PATH. Nothing mocks ingest.
 */
describe('Kubernetes job pods report their runs (runner image contract)', () => {
  let stack: Stack;
  let mock: K8sMockProcess;
  let clients: KubernetesClients;
  let control: ControlInstance;
  let records: string;
  /** The gateway token the Secret holds (created with the first job's namespace). */
  let podToken: string;
  const project = 'proj_k8s';
  const auth = (): Record<string, string> => bearer(stack.tokens.user);
  const jobsUrl = (): string => `${control.url}/api/v1/projects/${project}/jobs`;

  beforeAll(async () => {
    mock = await startK8sMock();
    stack = await startStack('k8s-runner');
    control = await startControl(stack, {
      CONTROL_KUBERNETES: 'kubeconfig',
      CONTROL_KUBECONFIG: mock.kubeconfigPath,
      CONTROL_KUBERNETES_INGEST_URL: stack.ingestUrl,
      CONTROL_KUBERNETES_RUNNER_IMAGE: 'runstream-runner:test',
      // Periodic passes only after the test: it calls the failed-Job sweep itself, and the Jobs API reconciles on each write.
      CONTROL_KUBERNETES_RESYNC_MS: '3600000',
    });
    clients = createKubernetesClients({ mode: 'kubeconfig', kubeconfigPath: mock.kubeconfigPath });
    records = mkdtempSync(join(tmpdir(), 'k8s-runner-'));
  }, 600_000);

  afterAll(async () => {
    await control?.app.close();
    await stack?.close();
    await mock?.stop();
  });

  async function createJob(name: string, command: string): Promise<{ id: string; cronJob: V1CronJob }> {
    const created = await http<{ id: string }>(
      'POST',
      jobsUrl(),
      { name, command, schedule: '0 2 * * *', environment: { FAKE_DBT_GREETING: `from ${name}` } },
      auth(),
    );
    expect(created.status).toBe(201);
    const cronJob = await eventually(
      async () =>
        (await clients.batch.listCronJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${created.body.id}` })).items.find((c) => c.metadata?.name),
      `the CronJob of ${name}`,
      30_000,
      200,
    );
    await ensureSecret(cronJob.metadata?.namespace ?? '');
    return { id: created.body.id, cronJob };
  }

  /** What the operator provides in each organisation's namespace: a gateway token of CONTROL_KUBERNETES_GATEWAY. */
  async function ensureSecret(namespace: string): Promise<void> {
    const existing = await clients.core.listNamespacedSecret({ namespace });
    if (existing.items.some((secret) => secret.metadata?.name === SECRET)) return;
    const { token } = await stack.tokenService.create({ orgId: stack.orgId, name: 'k8s-pods', kind: 'gateway', gateway: GATEWAY });
    podToken = token;
    await clients.core.createNamespacedSecret({
      namespace,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET, namespace }, data: { token: Buffer.from(token).toString('base64') } },
    });
  }

  /** A pod of the runner image, whose PATH holds a stand-in dbt that records each execution. */
  function startPod(container: V1Container, namespace: string, jobName: string, extraEnv: Record<string, string> = {}): Promise<Pod> {
    const imageEnv = {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      FAKE_DBT_RECORD_DIR: records,
      RUNNER_HEARTBEAT_MS: '500',
      RUNNER_LOG_FLUSH_MS: '50',
      ...extraEnv,
    };
    return startKubeletPod(clients, container, namespace, jobName, imageEnv);
  }

  async function read(runId: string): Promise<Run> {
    const answer = await http<Run>('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, auth());
    if (answer.status !== 200) throw new Error(`GET run ${runId}: ${answer.status}`);
    return answer.body;
  }

  function finished(runId: string): Promise<Run> {
    return eventually(
      async () => {
        const run = await read(runId);
        return TERMINAL.includes(run.status) ? run : undefined;
      },
      `run ${runId} to end`,
      60_000,
      200,
    );
  }

  /** How often the stand-in dbt ran for a run (it records RUNSTREAM_RUN_ID per execution). */
  function executions(runId: string): number {
    const log = join(records, 'executions.log');
    return existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line === runId).length
      : 0;
  }

  it("a scheduled pod creates its tick's run, claims it, runs the job's argv and reports it; a second pod of the same Job runs nothing", async () => {
    const { id: jobId, cronJob } = await createJob('nightly', 'dbt build --select tag:nightly');
    const namespace = cronJob.metadata?.namespace ?? '';
    // The CronJob controller names a tick's Job after the CronJob and the scheduled minute.
    const jobName = `${cronJob.metadata?.name}-29412345`;
    const pod = await startPod(runnerOf(cronJob), namespace, jobName);
    expect({ code: await pod.exitCode, output: pod.output() }).toMatchObject({ code: 0 });

    const runId = gatewayRunIdFor(stack.orgId, GATEWAY, `k8s/${namespace}/${jobName}`);
    const run = await finished(runId);
    expect(run).toMatchObject({
      status: 'success',
      claimedBy: GATEWAY,
      targetGateway: GATEWAY,
      jobId,
      jobName,
      cronjobName: 'nightly',
      namespace,
      triggeredBy: 'scheduled',
    });
    const lines = run.logEntries.map((entry) => entry.message).join('\n');
    expect(lines).toContain('greeting: from nightly');
    expect(lines).not.toContain('rst_');
    expect(executions(runId)).toBe(1);

    // The same Job's pod again (a pod recreated for one tick): same run, refused claim, no second execution.
    const again = await startPod(runnerOf(cronJob), namespace, jobName);
    expect(await again.exitCode).toBe(0);
    expect(again.output()).toContain('this pod does not run the program');
    expect(executions(runId)).toBe(1);
    const runs = await http<{ runs: { id: string; job_name: string }[] }>(
      'GET',
      `${stack.queryUrl}/api/v1/projects/${project}/runs?cronjob_name=nightly&include_stats=false`,
      undefined,
      auth(),
    );
    expect(runs.body.runs.filter((r) => r.job_name === jobName).map((r) => r.id)).toEqual([runId]);

    // A retry that reaches another ingest instance, whose idempotency cache never saw the key (here: another token of the gateway).
    const { token: otherToken } = await stack.tokenService.create({ orgId: stack.orgId, name: 'k8s-pods-2', kind: 'gateway', gateway: GATEWAY });
    const body = { projectId: project, jobId, jobName, cronjobName: 'nightly', namespace, triggeredBy: 'scheduled' };
    const retried = await http<{ id: string; status: string }>('POST', `${stack.ingestUrl}/api/agent/runs`, body, {
      ...bearer(otherToken),
      'idempotency-key': `k8s/${namespace}/${jobName}`,
    });
    expect(retried).toMatchObject({ status: 201, body: { id: runId, status: 'success' } });
    expect(await read(runId)).toMatchObject({ status: 'success', logEntries: run.logEntries });
  });

  it('a pod whose triggered run was cancelled before it started runs nothing and fails its Job', async () => {
    const { id: jobId } = await createJob('cancelled-early', 'dbt run');
    const triggered = await http<{ job_run_id: string; job_name: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
    const runId = triggered.body.job_run_id;
    expect((await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'cancelled' }, auth())).status).toBe(202);
    await finished(runId);
    const [job] = (await clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` })).items;
    const pod = await startPod(runnerOf(job), job.metadata!.namespace!, triggered.body.job_name);
    expect(await pod.exitCode).toBe(1);
    expect(pod.output()).toContain(`run ${runId} is cancelled, and only a pending run is claimed: this pod does not run the program`);
    expect(await read(runId)).toMatchObject({ status: 'cancelled', claimedBy: '' });
    expect(executions(runId)).toBe(0);
  });

  it("a triggered Job's pod reports the run the control plane created; a failing program fails the run and the pod with its exit code", async () => {
    const { id: jobId } = await createJob('orders', 'dbt build --select orders');
    const triggered = await http<{ job_run_id: string; job_name: string }>(
      'POST',
      `${jobsUrl()}/${jobId}/trigger`,
      { command_override: 'dbt build --select failing' },
      auth(),
    );
    expect(triggered.status).toBe(201);
    const runId = triggered.body.job_run_id;
    expect(await read(runId)).toMatchObject({ status: 'pending', targetGateway: GATEWAY, claimedBy: '' });

    const jobs = await clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` });
    const job = jobs.items.find((j) => j.metadata?.name === triggered.body.job_name);
    expect(job).toBeDefined();
    const pod = await startPod(runnerOf(job!), job!.metadata!.namespace!, triggered.body.job_name);
    expect({ code: await pod.exitCode, output: pod.output() }).toMatchObject({ code: 3 });

    const run = await finished(runId);
    expect(run).toMatchObject({ status: 'failed', claimedBy: GATEWAY, jobName: triggered.body.job_name, triggeredBy: 'manual' });
    expect(run.errorSummary).toContain('exited with code 3');
    // The runner's own line ends the log (batched with the program's last lines).
    expect(run.logEntries.at(-1)).toMatchObject({ level: 'error', message: expect.stringMatching(/\n\[runner\] exited with code 3$/) });
    expect(executions(runId)).toBe(1);
  });

  it('a terminating pod (SIGTERM) ends its program and reports the run cancelled', async () => {
    const { id: jobId } = await createJob('slow', 'dbt build --select slow');
    const triggered = await http<{ job_run_id: string; job_name: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
    expect(triggered.status).toBe(201);
    const runId = triggered.body.job_run_id;
    const job = (await clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` })).items[0];
    const pod = await startPod(runnerOf(job), job.metadata!.namespace!, triggered.body.job_name, { RUNNER_KILL_GRACE_MS: '1000' });
    await eventually(async () => ((await read(runId)).status === 'running' ? true : undefined), `run ${runId} to be running`, 30_000, 200);
    pod.child.kill('SIGTERM');
    expect(await pod.exitCode).toBe(143);
    const run = await finished(runId);
    expect(run).toMatchObject({ status: 'cancelled', errorSummary: 'pod terminated (SIGTERM)' });
  });

  it("a run whose Job failed or is gone before any pod claimed it is ended error with the reason; a claimed one is left to its pod, another runner's to it", async () => {
    const { id: jobId } = await createJob('broken-image', 'dbt run');
    const trigger = async () => (await http<{ job_run_id: string; job_name: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth())).body;
    const [unclaimed, claimed, gone] = [await trigger(), await trigger(), await trigger()];
    expect((await http('POST', `${stack.ingestUrl}/api/agent/runs/${claimed.job_run_id}/claim`, {}, bearer(podToken))).status).toBe(200);
    // A run of the same gateway that this backend did not place (no namespace of it): not the sweep's to judge.
    const ownRun = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/agent/runs`, { projectId: project, jobId, jobName: 'own-run' }, bearer(podToken));
    expect(ownRun.status).toBe(201);
    const jobs = (await clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` })).items;
    expect(jobs).toHaveLength(3);
    const namespace = jobs[0].metadata!.namespace!;
    // Where the Job controller would write it: the pod failed (say, the runner refused a bad variable).
    for (const job of jobs.filter((j) => j.metadata!.name !== gone.job_name)) {
      const failed = {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        lastTransitionTime: new Date(),
      };
      job.status = { failed: 1, conditions: [failed] };
      await clients.batch.replaceNamespacedJobStatus({ name: job.metadata!.name!, namespace, body: job });
    }
    // Removed by hand, or by its CronJob's failed-Jobs history limit before a sweep saw it.
    await clients.batch.deleteNamespacedJob({ name: gone.job_name, namespace });

    const sweeper = control.app.get(StrandedRunSweeper);
    // Not at once: a Job is created right after its run.
    expect(await sweeper.sweep()).toEqual([]);
    await eventually(async () => ((await read(claimed.job_run_id)).claimedBy === GATEWAY ? true : undefined), 'the pod claim in the read model', 20_000, 100);
    const later = new Date(Date.now() + STRANDED_GRACE_MS);
    expect((await sweeper.sweep(later)).sort()).toEqual([unclaimed.job_run_id, gone.job_run_id].sort());
    const failedSummary = `Kubernetes Job ${namespace}/${unclaimed.job_name} failed before its pod claimed the run: BackoffLimitExceeded: Job has reached the specified backoff limit`;
    const failedRun = await finished(unclaimed.job_run_id);
    expect(failedRun).toMatchObject({ status: 'error', errorSummary: failedSummary });
    expect(failedRun.logEntries.at(-1)).toMatchObject({ level: 'error', message: failedSummary });
    expect(await finished(gone.job_run_id)).toMatchObject({
      status: 'error',
      claimedBy: 'control-plane',
      errorSummary: `Kubernetes Job ${namespace}/${gone.job_name} does not exist, and no pod claimed the run`,
    });
    expect(await read(claimed.job_run_id)).toMatchObject({ status: 'pending', claimedBy: GATEWAY });
    expect(await read(ownRun.body.id)).toMatchObject({ status: 'pending', claimedBy: '' });
    expect(await sweeper.sweep(later)).toEqual([]);

    // The failed Job's pod, should it start after all: the run is over, so it runs nothing and fails.
    const [failedJob] = jobs.filter((j) => j.metadata!.name === unclaimed.job_name);
    const late = await startPod(runnerOf(failedJob), namespace, unclaimed.job_name);
    expect(await late.exitCode).toBe(1);
    expect(late.output()).toContain(`run ${unclaimed.job_run_id} is already claimed by control-plane (error): this pod does not run the program`);
  });

  it('a run whose pod cannot start (the Secret is missing) is ended error once CONTROL_KUBERNETES_POD_START_TIMEOUT_MS passed', async () => {
    const { id: jobId } = await createJob('no-secret', 'dbt run');
    const triggered = await http<{ job_run_id: string; job_name: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
    const [job] = (await clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` })).items;
    const namespace = job.metadata!.namespace!;
    // Where the Job controller and the kubelet would put it: a pod whose env names a Secret that is not there.
    await clients.core.createNamespacedPod({
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${triggered.body.job_name}-x1y2z`,
          labels: { 'app.kubernetes.io/managed-by': 'runstream-control', 'batch.kubernetes.io/job-name': triggered.body.job_name },
        },
        spec: { containers: [runnerOf(job)] },
        status: {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'runner',
              image: 'runstream-runner:test',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "runstream-gateway-token" not found' } },
            },
          ],
        },
      },
    });
    const sweeper = control.app.get(StrandedRunSweeper);
    expect(await sweeper.sweep()).toEqual([]);
    expect(await sweeper.sweep(new Date(Date.now() + 11 * 60_000))).toEqual([triggered.body.job_run_id]);
    const run = await finished(triggered.body.job_run_id);
    expect(run).toMatchObject({ status: 'error' });
    expect(run.errorSummary).toMatch(/could not start for 1\d(\.\d)? min: CreateContainerConfigError: secret "runstream-gateway-token" not found$/);
  });

  it("a token of another gateway cannot take the backend's runs, nor create runs for another gateway; the backend's own lists no argv or environment", async () => {
    const { id: jobId } = await createJob('guarded', 'dbt run');
    const triggered = await http<{ job_run_id: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
    // A job's program can read its pod's token: listing with it shows no job's secrets.
    const listed = await eventually(
      async () => {
        const answer = await http<{ runs: { id: string; command: string[]; environment: Record<string, string> }[] }>(
          'GET',
          `${stack.ingestUrl}/api/agent/runs?limit=100`,
          undefined,
          bearer(podToken),
        );
        return answer.body.runs.find((run) => run.id === triggered.body.job_run_id);
      },
      'the pending run in the gateway listing',
      20_000,
      200,
    );
    expect(listed).toMatchObject({ command: [], environment: {} });
    const claim = await http('POST', `${stack.ingestUrl}/api/agent/runs/${triggered.body.job_run_id}/claim`, {}, bearer(stack.tokens.gateway));
    expect(claim.status).toBe(404);
    const create = await http<{ errors: { field: string }[] }>(
      'POST',
      `${stack.ingestUrl}/api/agent/runs`,
      { projectId: project, jobName: 'x', targetGateway: GATEWAY },
      bearer(stack.tokens.gateway),
    );
    expect(create.status).toBe(400);
    expect(create.body.errors.map((error) => error.field)).toEqual(['targetGateway']);
  });
});
