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
import { bearer, startStack, Stack } from '../support/stack';
import { ControlInstance, startControl } from './support-control';
import { Pod, startPod } from './support-kubelet';

const FAKE_BIN = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin');
const SECRET = 'runstream-gateway-token';
const TERMINAL = ['success', 'partial', 'failed', 'error', 'cancelled'];
export const GATEWAY = 'kubernetes';

export interface EltRun {
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

export interface Triggered {
  job_run_id: string;
  job_name: string;
}

/**
 * The Kubernetes backend on a real stack, but for the kubelet: the stack's apps (Kafka, chDB,
 * ingest, query), the control app reconciling against fabric8's mock API server, and a stand-in
 * kubelet (support-kubelet) that runs the built runner as a pod's container, with a stand-in dbt
 * on the image's PATH that records each execution. Nothing mocks ingest.
 */
export class KubernetesBackend {
  /** The gateway token the Secret holds (created with the first job's namespace). */
  podToken = '';
  readonly project = 'proj_k8s';
  private readonly records = mkdtempSync(join(tmpdir(), 'k8s-runner-'));

  private constructor(
    readonly stack: Stack,
    private readonly mock: K8sMockProcess,
    readonly control: ControlInstance,
    readonly clients: KubernetesClients,
  ) {}

  static async start(name: string): Promise<KubernetesBackend> {
    const mock = await startK8sMock();
    const stack = await startStack(name);
    const control = await startControl(stack, {
      CONTROL_KUBERNETES: 'kubeconfig',
      CONTROL_KUBECONFIG: mock.kubeconfigPath,
      CONTROL_KUBERNETES_INGEST_URL: stack.ingestUrl,
      CONTROL_KUBERNETES_RUNNER_IMAGE: 'runstream-runner:test',
      // Periodic passes only after the test: tests call the stranded-run sweep themselves, and the Jobs API reconciles on each write.
      CONTROL_KUBERNETES_RESYNC_MS: '3600000',
    });
    return new KubernetesBackend(
      stack,
      mock,
      control,
      createKubernetesClients({ mode: 'kubeconfig', kubeconfigPath: mock.kubeconfigPath, requestTimeoutMs: 30_000 }),
    );
  }

  async close(): Promise<void> {
    await this.control.app.close();
    await this.stack.close();
    await this.mock.stop();
  }

  auth(): Record<string, string> {
    return bearer(this.stack.tokens.user);
  }

  jobsUrl(): string {
    return `${this.control.url}/api/v1/projects/${this.project}/jobs`;
  }

  /** A job through the Jobs API, once its CronJob exists and its namespace holds the operator's Secret. */
  async createJob(name: string, command: string): Promise<{ id: string; cronJob: V1CronJob }> {
    const body = { name, command, schedule: '0 2 * * *', environment: { FAKE_DBT_GREETING: `from ${name}` } };
    const created = await http<{ id: string }>('POST', this.jobsUrl(), body, this.auth());
    if (created.status !== 201) throw new Error(`creating job ${name}: ${created.status}`);
    const cronJob = await eventually(
      async () => (await this.clients.batch.listCronJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${created.body.id}` })).items[0],
      `the CronJob of ${name}`,
      30_000,
      200,
    );
    await this.ensureSecret(cronJob.metadata?.namespace ?? '');
    return { id: created.body.id, cronJob };
  }

  async trigger(jobId: string, body?: object): Promise<Triggered> {
    const answer = await http<Triggered>('POST', `${this.jobsUrl()}/${jobId}/trigger`, body, this.auth());
    if (answer.status !== 201) throw new Error(`triggering job ${jobId}: ${answer.status}`);
    return answer.body;
  }

  /** The Kubernetes Jobs of a job (triggered ones: the mock's CronJobs never fire). */
  async jobsOf(jobId: string): Promise<V1Job[]> {
    return (await this.clients.batch.listJobForAllNamespaces({ labelSelector: `runstream.dev/job-id=${jobId}` })).items;
  }

  /** A pod of the runner image for a Job named `jobName`, started as the kubelet would. */
  startPod(container: V1Container, namespace: string, jobName: string, extraEnv: Record<string, string> = {}, secretToken?: string): Promise<Pod> {
    const imageEnv = {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      FAKE_DBT_RECORD_DIR: this.records,
      RUNNER_HEARTBEAT_MS: '500',
      RUNNER_LOG_FLUSH_MS: '50',
      ...extraEnv,
    };
    return startPod(this.clients, container, namespace, jobName, imageEnv, secretToken === undefined ? {} : { RUNSTREAM_GATEWAY_TOKEN: secretToken });
  }

  async read(runId: string): Promise<EltRun> {
    const answer = await http<EltRun>('GET', `${this.stack.queryUrl}/api/elt/runs/${runId}`, undefined, this.auth());
    if (answer.status !== 200) throw new Error(`GET run ${runId}: ${answer.status}`);
    return answer.body;
  }

  finished(runId: string): Promise<EltRun> {
    return eventually(
      async () => {
        const run = await this.read(runId);
        return TERMINAL.includes(run.status) ? run : undefined;
      },
      `run ${runId} to end`,
      60_000,
      200,
    );
  }

  /** How often the stand-in dbt ran for a run (it records RUNSTREAM_RUN_ID per execution). */
  executions(runId: string): number {
    const log = join(this.records, 'executions.log');
    return existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line === runId).length
      : 0;
  }

  /** What the operator provides in each organisation's namespace: a gateway token of CONTROL_KUBERNETES_GATEWAY. */
  private async ensureSecret(namespace: string): Promise<void> {
    const existing = await this.clients.core.listNamespacedSecret({ namespace });
    if (existing.items.some((secret) => secret.metadata?.name === SECRET)) return;
    const { token } = await this.stack.tokenService.create({ orgId: this.stack.orgId, name: 'k8s-pods', kind: 'gateway', gateway: GATEWAY });
    this.podToken = token;
    const data = { token: Buffer.from(token).toString('base64') };
    await this.clients.core.createNamespacedSecret({ namespace, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET, namespace }, data } });
  }
}
