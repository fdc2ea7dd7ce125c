import { eventually, http } from '@runstream/testing';
import { StrandedRunSweeper } from '../../apps/control/src/kubernetes/stranded-run.sweeper';
import { STRANDED_GRACE_MS } from '../../apps/control/src/kubernetes/stranded-runs';
import { bearer } from '../support/stack';
import { GATEWAY, KubernetesBackend } from './support-kubernetes';
import { runnerOf } from './support-kubelet';

/**
 * Runs of the Kubernetes backend that no pod will claim (docs/kubernetes.md): the stranded-run
 * sweep against the mock API server and the real stack. Job and pod status are written where the
 * Job controller and the kubelet would write them; the sweep runs with a clock moved forward.
 */
describe('Kubernetes runs no pod will claim are ended', () => {
  let k8s: KubernetesBackend;
  let sweeper: StrandedRunSweeper;

  beforeAll(async () => {
    k8s = await KubernetesBackend.start('k8s-stranded');
    sweeper = k8s.control.app.get(StrandedRunSweeper);
  }, 600_000);

  afterAll(async () => {
    await k8s?.close();
  });

  it("a run whose Job failed or is gone before any pod claimed it is ended error with the reason; a claimed one is left to its pod, another runner's to it", async () => {
    const { id: jobId } = await k8s.createJob('broken-image', 'dbt run');
    const trigger = () => k8s.trigger(jobId);
    const [unclaimed, claimed, gone] = [await trigger(), await trigger(), await trigger()];
    expect((await http('POST', `${k8s.stack.ingestUrl}/api/agent/runs/${claimed.job_run_id}/claim`, {}, bearer(k8s.podToken))).status).toBe(200);
    // A run of the same gateway that this backend did not place (no namespace of it): not the sweep's to judge.
    const ownRun = await http<{ id: string }>(
      'POST',
      `${k8s.stack.ingestUrl}/api/agent/runs`,
      { projectId: k8s.project, jobId, jobName: 'own-run' },
      bearer(k8s.podToken),
    );
    expect(ownRun.status).toBe(201);
    const jobs = await k8s.jobsOf(jobId);
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
      await k8s.clients.batch.replaceNamespacedJobStatus({ name: job.metadata!.name!, namespace, body: job });
    }
    // Removed by hand, or by its CronJob's failed-Jobs history limit before a sweep saw it.
    await k8s.clients.batch.deleteNamespacedJob({ name: gone.job_name, namespace });

    // Not at once: a Job is created right after its run.
    expect(await sweeper.sweep()).toEqual([]);
    await eventually(
      async () => ((await k8s.read(claimed.job_run_id)).claimedBy === GATEWAY ? true : undefined),
      'the pod claim in the read model',
      20_000,
      100,
    );
    const later = new Date(Date.now() + STRANDED_GRACE_MS);
    expect((await sweeper.sweep(later)).sort()).toEqual([unclaimed.job_run_id, gone.job_run_id].sort());
    const failedSummary = `Kubernetes Job ${namespace}/${unclaimed.job_name} failed before its pod claimed the run: BackoffLimitExceeded: Job has reached the specified backoff limit`;
    const failedRun = await k8s.finished(unclaimed.job_run_id);
    expect(failedRun).toMatchObject({ status: 'error', errorSummary: failedSummary });
    expect(failedRun.logEntries.at(-1)).toMatchObject({ level: 'error', message: failedSummary });
    expect(await k8s.finished(gone.job_run_id)).toMatchObject({
      status: 'error',
      claimedBy: 'control-plane',
      errorSummary: `Kubernetes Job ${namespace}/${gone.job_name} does not exist, and no pod claimed the run`,
    });
    expect(await k8s.read(claimed.job_run_id)).toMatchObject({ status: 'pending', claimedBy: GATEWAY });
    expect(await k8s.read(ownRun.body.id)).toMatchObject({ status: 'pending', claimedBy: '' });
    expect(await sweeper.sweep(later)).toEqual([]);

    // The failed Job's pod, should it start after all: the run is over, so it runs nothing and fails.
    const [failedJob] = jobs.filter((j) => j.metadata!.name === unclaimed.job_name);
    const late = await k8s.startPod(runnerOf(failedJob), namespace, unclaimed.job_name);
    expect(await late.exitCode).toBe(1);
    expect(late.output()).toContain(`run ${unclaimed.job_run_id} is already claimed by control-plane (error): this pod does not run the program`);
  });

  it('a run whose pod cannot start (the Secret is missing) is ended error once CONTROL_KUBERNETES_POD_START_TIMEOUT_MS passed', async () => {
    const { id: jobId } = await k8s.createJob('no-secret', 'dbt run');
    const triggered = await k8s.trigger(jobId);
    const [job] = await k8s.jobsOf(jobId);
    const namespace = job.metadata!.namespace!;
    // Where the Job controller and the kubelet would put it: a pod whose env names a Secret that is not there.
    await k8s.clients.core.createNamespacedPod({
      namespace,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${triggered.job_name}-x1y2z`,
          labels: { 'app.kubernetes.io/managed-by': 'runstream-control', 'batch.kubernetes.io/job-name': triggered.job_name },
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
    expect(await sweeper.sweep()).toEqual([]);
    expect(await sweeper.sweep(new Date(Date.now() + 11 * 60_000))).toEqual([triggered.job_run_id]);
    const run = await k8s.finished(triggered.job_run_id);
    expect(run).toMatchObject({ status: 'error' });
    expect(run.errorSummary).toMatch(/could not start for 1\d(\.\d)? min: CreateContainerConfigError: secret "runstream-gateway-token" not found$/);
  });
});
