import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, http, REPO_ROOT } from '@runstream/testing';
import { startK8sMock, type K8sMockProcess } from '../../apps/control/src/kubernetes/k8s-mock.process';
import {
  createKubernetesClients,
  type KubernetesClients,
  type V1Container,
  type V1CronJob,
  type V1Job,
} from '../../apps/control/src/kubernetes/kubernetes.client';
import { UnclaimedRunSweeper } from '../../apps/control/src/kubernetes/unclaimed-run.sweeper';
import { gatewayRunIdFor } from '../../apps/ingest/src/runs/run.service';
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';

const FAKE_BIN = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin');
const RUNNER = join(REPO_ROOT, 'dist', 'apps', 'runner', 'src', 'main.js');
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

interface Pod {
  exitCode: Promise<number>;
  output: () => string;
  child: ChildProcess;
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

  /** The container's env as the kubelet resolves it: values, Secret keys, and the downward API fields the template uses. */
  async function resolveEnv(container: V1Container, namespace: string, jobName: string): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
      const { value, valueFrom } = variable;
      if (value !== undefined) env[variable.name] = value;
      else if (valueFrom?.secretKeyRef) {
        const secret = await clients.core.readNamespacedSecret({ name: valueFrom.secretKeyRef.name ?? '', namespace });
        env[variable.name] = Buffer.from(secret.data?.[valueFrom.secretKeyRef.key] ?? '', 'base64').toString('utf8');
      } else if (valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = namespace;
      else if (valueFrom?.fieldRef?.fieldPath === "metadata.labels['batch.kubernetes.io/job-name']") env[variable.name] = jobName;
      else throw new Error(`the test's kubelet cannot resolve ${JSON.stringify(variable)}`);
    }
    return env;
  }

  /** One pod of a Job: the runner image's entrypoint program with the container's args, the image's PATH holding a stand-in dbt. */
  async function startPod(container: V1Container, namespace: string, jobName: string, imageEnv: Record<string, string> = {}): Promise<Pod> {
    const env = {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      HOSTNAME: `${jobName}-${Math.random().toString(36).slice(2, 7)}`,
      FAKE_DBT_RECORD_DIR: records,
      RUNNER_HEARTBEAT_MS: '500',
      RUNNER_LOG_FLUSH_MS: '50',
      ...imageEnv,
      ...(await resolveEnv(container, namespace, jobName)),
    };
    let output = '';
    const child = spawn(process.execPath, [RUNNER, ...(container.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
    return { exitCode, output: () => output, child };
  }

  const runnerOf = (template: V1CronJob | V1Job): V1Container =>
    ((template as V1CronJob).spec?.jobTemplate?.spec ?? (template as V1Job).spec)!.template.spec!.containers.find((c) => c.name === 'runner')!;

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

  it('a triggered run whose Job failed before any pod claimed it is ended error with the reason; a claimed one is left to its pod', async () => {
    const { id: jobId } = await createJob('broken-image', 'dbt run');
    const unclaimed = await http<{ job_run_id: string; job_name: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
    const claimed = await http<{ job_run_id: string; job_name: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
    expect((await http('POST', `${stack.ingestUrl}/api/agent/runs/${claimed.body.job_run_id}/claim`, {}, bearer(podToken))).status).toBe(200);
    const jobs = (await clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` })).items;
    expect(jobs).toHaveLength(2);
    // Where the Job controller would write it: the pod never started (its image could not be pulled until the deadline).
    for (const job of jobs) {
      job.status = {
        failed: 1,
        conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }],
      };
      await clients.batch.replaceNamespacedJobStatus({ name: job.metadata!.name!, namespace: job.metadata!.namespace!, body: job });
    }

    const sweeper = control.app.get(UnclaimedRunSweeper);
    expect(await sweeper.sweep()).toEqual([unclaimed.body.job_run_id]);
    const run = await finished(unclaimed.body.job_run_id);
    const summary = `Kubernetes Job ${jobs[0].metadata!.namespace}/${unclaimed.body.job_name} failed before its pod claimed the run: DeadlineExceeded: Job was active longer than specified deadline`;
    expect(run).toMatchObject({ status: 'error', errorSummary: summary });
    expect(run.logEntries.at(-1)).toMatchObject({ level: 'error', message: summary });
    expect(await read(claimed.body.job_run_id)).toMatchObject({ status: 'pending', claimedBy: GATEWAY });
    expect(await sweeper.sweep()).toEqual([]);
  });

  it("a token of another gateway cannot take the backend's runs, nor create runs for another gateway", async () => {
    const { id: jobId } = await createJob('guarded', 'dbt run');
    const triggered = await http<{ job_run_id: string }>('POST', `${jobsUrl()}/${jobId}/trigger`, undefined, auth());
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
