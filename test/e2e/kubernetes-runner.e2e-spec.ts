import { eventually, http } from '@runstream/testing';
import { gatewayRunIdFor } from '../../apps/ingest/src/runs/run.service';
import { bearer } from '../support/stack';
import { GATEWAY, KubernetesBackend } from './support-kubernetes';
import { runnerOf } from './support-kubelet';

/**
 * Kubernetes job pods report their runs (docs/kubernetes.md, "Runner image contract"): each pod
 * is started as the kubelet would start it from its CronJob's or Job's container, running the
 * built runner against the real stack (support-kubernetes.ts).
 */
describe('Kubernetes job pods report their runs (runner image contract)', () => {
  let k8s: KubernetesBackend;

  beforeAll(async () => {
    // On a fresh machine the first start fetches the mock's jars from Maven Central.
    k8s = await KubernetesBackend.start('k8s-runner');
  }, 600_000);

  afterAll(async () => {
    await k8s?.close();
  });

  it("a scheduled pod creates its tick's run, claims it, runs the job's argv and reports it; a second pod of the same Job runs nothing", async () => {
    const { id: jobId, cronJob } = await k8s.createJob('nightly', 'dbt build --select tag:nightly');
    const namespace = cronJob.metadata?.namespace ?? '';
    // The CronJob controller names a tick's Job after the CronJob and the scheduled minute.
    const jobName = `${cronJob.metadata?.name}-29412345`;
    const pod = await k8s.startPod(runnerOf(cronJob), namespace, jobName);
    expect({ code: await pod.exitCode, output: pod.output() }).toMatchObject({ code: 0 });

    const runId = gatewayRunIdFor(k8s.stack.orgId, GATEWAY, `k8s/${namespace}/${jobName}`);
    const run = await k8s.finished(runId);
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
    expect(k8s.executions(runId)).toBe(1);
    // The pod's log (what GET /api/v1/jobs/:id/logs reads) has the program's output, and the runner's own lines in JSON.
    expect(pod.output()).toContain('greeting: from nightly');
    expect(pod.output()).toContain('"app":"runner"');

    // The same Job's pod again (a pod recreated for one tick): same run, refused claim, no second execution.
    const again = await k8s.startPod(runnerOf(cronJob), namespace, jobName);
    expect(await again.exitCode).toBe(0);
    expect(again.output()).toContain('this pod does not run the program');
    expect(k8s.executions(runId)).toBe(1);
    const runs = await http<{ runs: { id: string; job_name: string }[] }>(
      'GET',
      `${k8s.stack.queryUrl}/api/v1/projects/${k8s.project}/runs?cronjob_name=nightly&include_stats=false`,
      undefined,
      k8s.auth(),
    );
    expect(runs.body.runs.filter((r) => r.job_name === jobName).map((r) => r.id)).toEqual([runId]);

    // A retry that reaches another ingest instance, whose idempotency cache never saw the key (here: another token of the gateway).
    const { token: otherToken } = await k8s.stack.tokenService.create({ orgId: k8s.stack.orgId, name: 'k8s-pods-2', kind: 'gateway', gateway: GATEWAY });
    const body = { projectId: k8s.project, jobId, jobName, cronjobName: 'nightly', namespace, triggeredBy: 'scheduled' };
    const retried = await http<{ id: string; status: string }>('POST', `${k8s.stack.ingestUrl}/api/agent/runs`, body, {
      ...bearer(otherToken),
      'idempotency-key': `k8s/${namespace}/${jobName}`,
    });
    expect(retried).toMatchObject({ status: 201, body: { id: runId, status: 'success' } });
    expect(await k8s.read(runId)).toMatchObject({ status: 'success', logEntries: run.logEntries });
  });

  it("a scheduled pod whose Secret holds another gateway's token creates no run and fails, saying so", async () => {
    const { cronJob } = await k8s.createJob('wrong-token', 'dbt run');
    const namespace = cronJob.metadata?.namespace ?? '';
    const jobName = `${cronJob.metadata?.name}-29412346`;
    const pod = await k8s.startPod(runnerOf(cronJob), namespace, jobName, {}, k8s.stack.tokens.gateway);
    expect(await pod.exitCode).toBe(1);
    expect(pod.output()).toContain(`the token in the Secret is not a gateway token of ${GATEWAY}`);
    const runs = await http<{ runs: { job_name: string }[] }>(
      'GET',
      `${k8s.stack.queryUrl}/api/v1/projects/${k8s.project}/runs?cronjob_name=wrong-token&include_stats=false`,
      undefined,
      k8s.auth(),
    );
    expect(runs.body.runs).toEqual([]);
  });

  it('a pod whose triggered run was cancelled before it started runs nothing and fails its Job', async () => {
    const { id: jobId } = await k8s.createJob('cancelled-early', 'dbt run');
    const triggered = await k8s.trigger(jobId);
    const runId = triggered.job_run_id;
    expect((await http('PATCH', `${k8s.stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'cancelled' }, k8s.auth())).status).toBe(202);
    await k8s.finished(runId);
    const [job] = await k8s.jobsOf(jobId);
    const pod = await k8s.startPod(runnerOf(job), job.metadata!.namespace!, triggered.job_name);
    expect(await pod.exitCode).toBe(1);
    expect(pod.output()).toContain(`run ${runId} is cancelled, and only a pending run is claimed: this pod does not run the program`);
    expect(await k8s.read(runId)).toMatchObject({ status: 'cancelled', claimedBy: '' });
    expect(k8s.executions(runId)).toBe(0);
  });

  it("a triggered Job's pod reports the run the control plane created; a failing program fails the run and the pod with its exit code", async () => {
    const { id: jobId } = await k8s.createJob('orders', 'dbt build --select orders');
    const triggered = await k8s.trigger(jobId, { command_override: 'dbt build --select failing' });
    const runId = triggered.job_run_id;
    expect(await k8s.read(runId)).toMatchObject({ status: 'pending', targetGateway: GATEWAY, claimedBy: '' });

    const job = (await k8s.jobsOf(jobId)).find((j) => j.metadata?.name === triggered.job_name);
    expect(job).toBeDefined();
    const pod = await k8s.startPod(runnerOf(job!), job!.metadata!.namespace!, triggered.job_name);
    expect({ code: await pod.exitCode, output: pod.output() }).toMatchObject({ code: 3 });

    const run = await k8s.finished(runId);
    expect(run).toMatchObject({ status: 'failed', claimedBy: GATEWAY, jobName: triggered.job_name, triggeredBy: 'manual' });
    expect(run.errorSummary).toContain('exited with code 3');
    // The runner's own line ends the log (batched with the program's last lines).
    expect(run.logEntries.at(-1)).toMatchObject({ level: 'error', message: expect.stringMatching(/\n\[runner\] exited with code 3$/) });
    expect(k8s.executions(runId)).toBe(1);
  });

  it('a terminating pod (SIGTERM) ends its program and reports the run cancelled', async () => {
    const { id: jobId } = await k8s.createJob('slow', 'dbt build --select slow');
    const triggered = await k8s.trigger(jobId);
    const runId = triggered.job_run_id;
    const [job] = await k8s.jobsOf(jobId);
    const pod = await k8s.startPod(runnerOf(job), job.metadata!.namespace!, triggered.job_name, { RUNNER_KILL_GRACE_MS: '1000' });
    await eventually(async () => ((await k8s.read(runId)).status === 'running' ? true : undefined), `run ${runId} to be running`, 30_000, 200);
    pod.child.kill('SIGTERM');
    expect(await pod.exitCode).toBe(143);
    const run = await k8s.finished(runId);
    expect(run).toMatchObject({ status: 'cancelled', errorSummary: 'pod terminated (SIGTERM)' });
  });

  it("a token of another gateway cannot take the backend's runs, nor create runs for another gateway; the backend's own lists no argv or environment", async () => {
    const { id: jobId } = await k8s.createJob('guarded', 'dbt run');
    const triggered = await k8s.trigger(jobId);
    // A job's program can read its pod's token: listing with it shows no job's secrets.
    const listed = await eventually(
      async () => {
        const answer = await http<{ runs: { id: string; command: string[]; environment: Record<string, string> }[] }>(
          'GET',
          `${k8s.stack.ingestUrl}/api/agent/runs?limit=100`,
          undefined,
          bearer(k8s.podToken),
        );
        return answer.body.runs.find((run) => run.id === triggered.job_run_id);
      },
      'the pending run in the gateway listing',
      20_000,
      200,
    );
    expect(listed).toMatchObject({ command: [], environment: {} });
    const claim = await http('POST', `${k8s.stack.ingestUrl}/api/agent/runs/${triggered.job_run_id}/claim`, {}, bearer(k8s.stack.tokens.gateway));
    expect(claim.status).toBe(404);
    const create = await http<{ errors: { field: string }[] }>(
      'POST',
      `${k8s.stack.ingestUrl}/api/agent/runs`,
      { projectId: k8s.project, jobName: 'x', targetGateway: GATEWAY },
      bearer(k8s.stack.tokens.gateway),
    );
    expect(create.status).toBe(400);
    expect(create.body.errors.map((error) => error.field)).toEqual(['targetGateway']);
  });
});
