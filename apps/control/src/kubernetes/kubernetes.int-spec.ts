import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobArgv } from './job-argv';
import { startK8sMock, type K8sMockProcess } from './k8s-mock.process';
import { createKubernetesClients, type KubernetesClients, type V1CronJob, type V1Job } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import type { KubernetesJobRow } from './kubernetes-job-row';
import { KubernetesLiveJobsSource } from './kubernetes-live-jobs.source';
import { KubernetesRunExecutor } from './kubernetes-run.executor';
import { KubernetesReconciler } from './kubernetes.reconciler';

/**
 * Against fabric8's kubernetes-server-mock in CRUD mode, a separate process spoken to over HTTP
 * by the real client. It stores objects and nothing else: no CronJob fires, no Job gets pods or
 * status unless a test writes them (docs/kubernetes.md).
 */
describe('Kubernetes backend on an API server (fabric8 CRUD mock)', () => {
  let mock: K8sMockProcess;
  let clients: KubernetesClients;
  let jobs: KubernetesJobRow[];
  let reconciler: KubernetesReconciler;
  let config: KubernetesConfig;

  const row = (overrides: Partial<KubernetesJobRow>): KubernetesJobRow => ({
    org_id: 'acme',
    project_id: 'analytics',
    id: 'job_00000000000000000000000000000001',
    name: 'nightly-refresh',
    command: "dbt build --select 'tag:nightly'",
    schedule: '0 2 * * *',
    timezone: 'UTC',
    enabled: 1,
    resources: '{"requests":{"cpu":"250m"}}',
    environment: '{"DBT_TARGET":"prod"}',
    deleted: 0,
    ...overrides,
  });
  const readCronJob = (namespace: string, name: string) => clients.batch.readNamespacedCronJob({ name, namespace });
  const cronJobNames = async () =>
    (await clients.batch.listCronJobForAllNamespaces({ labelSelector: 'app.kubernetes.io/managed-by=runstream-control' })).items
      .map((c: V1CronJob) => `${c.metadata?.namespace}/${c.metadata?.name}`)
      .sort();
  const runner = (c: V1CronJob | V1Job) =>
    ('jobTemplate' in (c.spec ?? {}) ? (c as V1CronJob).spec!.jobTemplate.spec! : (c as V1Job).spec!).template.spec!.containers[0];

  beforeAll(async () => {
    mock = await startK8sMock();
    config = {
      mode: 'kubeconfig',
      kubeconfigPath: mock.kubeconfigPath,
      namespacePrefix: 'runstream-',
      resyncMs: 1_000,
      requestTimeoutMs: 30_000,
      runnerImage: 'ghcr.io/runstream/runner:test',
      ingestUrl: 'http://ingest.runstream.svc:3000',
      tokenSecret: { name: 'runstream-gateway-token', key: 'token' },
      gateway: 'kubernetes',
      podStartTimeoutMs: 600_000,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
    };
    clients = createKubernetesClients(config);
    // On a fresh machine the first start fetches the mock's jars from Maven Central.
  }, 600_000);

  afterAll(async () => {
    await reconciler?.onModuleDestroy();
    await mock?.stop();
  });

  beforeEach(() => {
    jobs = [];
    reconciler = new KubernetesReconciler(config, clients, async () => jobs.map((j) => ({ ...j })), jobArgv);
  });

  it('creates a CronJob per job in its organisation namespace, creating the namespace', async () => {
    jobs = [
      row({}),
      row({
        org_id: 'globex',
        project_id: 'proj_X',
        id: 'job_00000000000000000000000000000002',
        name: 'hourly',
        command: 'sqlmesh run',
        schedule: '@hourly',
        timezone: 'Europe/Paris',
        enabled: 0,
      }),
    ];
    const report = await reconciler.reconcileNow();
    expect(report.failed).toEqual([]);
    expect(report.created.sort()).toEqual(['runstream-acme/analytics-nightly-refresh', expect.stringMatching(/^runstream-globex\/proj-x-hourly-[0-9a-f]{8}$/)]);
    const namespaces = (await clients.core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(namespaces).toEqual(expect.arrayContaining(['runstream-acme', 'runstream-globex']));

    const acme = await readCronJob('runstream-acme', 'analytics-nightly-refresh');
    expect(acme.metadata?.labels).toMatchObject({ 'runstream.dev/org': 'acme', 'runstream.dev/project': 'analytics', 'runstream.dev/job-id': jobs[0].id });
    expect(acme.spec).toMatchObject({ schedule: '0 2 * * *', timeZone: 'UTC', suspend: false, concurrencyPolicy: 'Forbid' });
    expect(runner(acme).image).toBe('ghcr.io/runstream/runner:test');
    expect(runner(acme).args).toEqual(['dbt', 'build', '--select', 'tag:nightly']);
    expect(runner(acme).resources).toEqual({ requests: { cpu: '250m' } });
    expect(runner(acme).env).toEqual(
      expect.arrayContaining([
        { name: 'RUNSTREAM_INGEST_URL', value: 'http://ingest.runstream.svc:3000' },
        { name: 'RUNSTREAM_GATEWAY_TOKEN', valueFrom: { secretKeyRef: { name: 'runstream-gateway-token', key: 'token' } } },
        { name: 'RUNSTREAM_JOB_ID', value: jobs[0].id },
        { name: 'DBT_TARGET', value: 'prod' },
      ]),
    );
    const globex = (await clients.batch.listNamespacedCronJob({ namespace: 'runstream-globex' })).items[0];
    expect(globex.spec).toMatchObject({ schedule: '@hourly', timeZone: 'Europe/Paris', suspend: true });
    expect(globex.metadata?.annotations).toMatchObject({ 'runstream.dev/project': 'proj_X' });

    const again = await reconciler.reconcileNow();
    expect(again).toEqual({ created: [], updated: [], deleted: [], failed: [] });
  });

  it('updates a changed job, suspends a disabled one, deletes a deleted one, and follows a rename', async () => {
    jobs = [row({}), row({ id: 'job_00000000000000000000000000000003', name: 'weekly', schedule: '@weekly' })];
    await reconciler.reconcileNow();
    const uid = async (name: string) => (await readCronJob('runstream-acme', name)).metadata?.uid;
    const [nightlyUid, weeklyUid] = [await uid('analytics-nightly-refresh'), await uid('analytics-weekly')];
    expect(nightlyUid).toEqual(expect.any(String));

    jobs[0] = row({ schedule: '30 3 * * *', command: 'dbt run', environment: '{"DBT_TARGET":"staging"}' });
    jobs[1] = row({ id: 'job_00000000000000000000000000000003', name: 'weekly', schedule: '@weekly', enabled: 0 });
    const update = await reconciler.reconcileNow();
    expect(update.updated).toEqual([
      { name: 'runstream-acme/analytics-nightly-refresh', fields: ['spec.schedule', 'runner.args', 'runner.env'] },
      { name: 'runstream-acme/analytics-weekly', fields: ['spec.suspend'] },
    ]);
    const updated = await readCronJob('runstream-acme', 'analytics-nightly-refresh');
    expect(updated.spec?.schedule).toBe('30 3 * * *');
    expect(runner(updated).args).toEqual(['dbt', 'run']);
    expect(runner(updated).env).toContainEqual({ name: 'DBT_TARGET', value: 'staging' });
    expect((await readCronJob('runstream-acme', 'analytics-weekly')).spec?.suspend).toBe(true);
    // A new schedule is a new CronJob (no lastScheduleTime, so no missed tick fires at once); a suspend is an update in place.
    expect(await uid('analytics-nightly-refresh')).not.toBe(nightlyUid);
    expect(await uid('analytics-weekly')).toBe(weeklyUid);
    // So is a resume: ticks missed while suspended are not started.
    jobs[1] = { ...jobs[1], enabled: 1 };
    expect((await reconciler.reconcileNow()).updated).toEqual([{ name: 'runstream-acme/analytics-weekly', fields: ['spec.suspend'] }]);
    expect(await uid('analytics-weekly')).not.toBe(weeklyUid);
    expect((await readCronJob('runstream-acme', 'analytics-weekly')).spec?.suspend).toBe(false);

    jobs[1] = { ...jobs[1], deleted: 1 };
    jobs[0] = { ...jobs[0], name: 'nightly' };
    const removal = await reconciler.reconcileNow();
    expect(removal.deleted.sort()).toEqual(['runstream-acme/analytics-nightly-refresh', 'runstream-acme/analytics-weekly']);
    expect(removal.created).toEqual(['runstream-acme/analytics-nightly']);
    expect(await cronJobNames()).toEqual(['runstream-acme/analytics-nightly']);
  });

  it('recreates a CronJob deleted behind its back and repairs a hand-edited schedule, on its own timer', async () => {
    jobs = [row({})];
    await reconciler.reconcileNow();
    await clients.batch.deleteNamespacedCronJob({ name: 'analytics-nightly-refresh', namespace: 'runstream-acme' });
    const repaired = await reconciler.reconcileNow();
    expect(repaired.created).toEqual(['runstream-acme/analytics-nightly-refresh']);

    const edited = await readCronJob('runstream-acme', 'analytics-nightly-refresh');
    edited.spec!.schedule = '* * * * *';
    await clients.batch.replaceNamespacedCronJob({ name: 'analytics-nightly-refresh', namespace: 'runstream-acme', body: edited });
    expect((await readCronJob('runstream-acme', 'analytics-nightly-refresh')).spec?.schedule).toBe('* * * * *');

    // No reconcileNow from here: the periodic pass (resync 1 s) must find the drift itself.
    reconciler.onApplicationBootstrap();
    let schedule: string | undefined;
    for (let i = 0; i < 100 && schedule !== '0 2 * * *'; i += 1) {
      await sleep(100);
      schedule = (await readCronJob('runstream-acme', 'analytics-nightly-refresh')).spec?.schedule;
    }
    expect(schedule).toBe('0 2 * * *');

    await clients.batch.deleteNamespacedCronJob({ name: 'analytics-nightly-refresh', namespace: 'runstream-acme' });
    let names: string[] = [];
    for (let i = 0; i < 100 && names.length === 0; i += 1) {
      await sleep(100);
      names = await cronJobNames();
    }
    expect(names).toEqual(['runstream-acme/analytics-nightly-refresh']);
    await reconciler.onModuleDestroy();
  });

  it('applies a job change before the Jobs API answers (the executor reconciles), and survives an unreachable API server', async () => {
    const executor = new KubernetesRunExecutor(config, reconciler);
    jobs = [row({ id: 'job_00000000000000000000000000000004', name: 'hourly', schedule: '0 * * * *' })];
    // No periodic pass runs here (onApplicationBootstrap is not called): only the executor's.
    await executor.definitionsChanged();
    expect((await readCronJob('runstream-acme', 'analytics-hourly')).spec?.suspend).toBe(false);
    jobs[0] = { ...jobs[0], enabled: 0 };
    await executor.definitionsChanged();
    expect((await readCronJob('runstream-acme', 'analytics-hourly')).spec?.suspend).toBe(true);
    jobs[0] = { ...jobs[0], deleted: 1 };
    await executor.definitionsChanged();
    expect(await cronJobNames()).not.toContain('runstream-acme/analytics-hourly');

    // The same kubeconfig pointed at a port nothing listens on.
    const closed = join(mkdtempSync(join(tmpdir(), 'k8s-closed-')), 'kubeconfig');
    writeFileSync(closed, readFileSync(mock.kubeconfigPath, 'utf8').replace(/server: .*/, 'server: http://127.0.0.1:9'));
    const unreachable = createKubernetesClients({ ...config, kubeconfigPath: closed });
    const offlineReconciler = new KubernetesReconciler(config, unreachable, async () => jobs, jobArgv);
    await expect(offlineReconciler.reconcileNow()).rejects.toHaveProperty('message', expect.stringContaining('ECONNREFUSED'));
    await expect(new KubernetesRunExecutor(config, offlineReconciler).definitionsChanged()).resolves.toBeUndefined();
  });

  it('answers a job change without waiting past its bound, and ends each call at its deadline, on an API server that accepts and never answers', async () => {
    // A real TCP peer that takes the connection and stays silent (a blackholed API server).
    const held: Socket[] = [];
    let hangUp = false;
    const silent = createServer((socket) => (hangUp ? socket.destroy() : held.push(socket)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'k8s-silent-')), 'kubeconfig');
    const port = (silent.address() as AddressInfo).port;
    writeFileSync(kubeconfig, readFileSync(mock.kubeconfigPath, 'utf8').replace(/server: .*/, `server: http://127.0.0.1:${port}`));
    const reconcilerWithDeadline = (requestTimeoutMs: number) =>
      new KubernetesReconciler(config, createKubernetesClients({ ...config, kubeconfigPath: kubeconfig, requestTimeoutMs }), async () => jobs, jobArgv);
    try {
      // A pass whose calls outlast the write's bound: the write is answered while that pass still waits.
      const hanging = reconcilerWithDeadline(120_000);
      await new KubernetesRunExecutor(config, hanging).definitionsChanged();
      expect(held.length).toBeGreaterThan(0);
      const pass = hanging.reconcileNow().then(
        () => 'ended',
        () => 'ended',
      );
      // Half a second more: a pass against an API server that answers ends in milliseconds.
      expect(await Promise.race([pass, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500))])).toBe('still waiting');
      // The pass itself ends: its calls give up at the request deadline, so later passes are not queued behind it for good.
      // (The client's errors come from outside jest's realm, hence a property match, as above.)
      await expect(reconcilerWithDeadline(2_000).reconcileNow()).rejects.toHaveProperty('name', 'AbortError');
      // Once the API server hangs up, the waiting pass (and the one queued behind it) end.
      hangUp = true;
      for (const socket of held) socket.destroy();
      expect(await pass).toBe('ended');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 30_000);

  it('triggers a Job from the CronJob template carrying the run id, idempotently per run', async () => {
    jobs = [row({})];
    await reconciler.reconcileNow();
    const cronJob = await readCronJob('runstream-acme', 'analytics-nightly-refresh');
    const triggered = await reconciler.trigger(jobs[0], 'run_0000000000000000000000000000000a', 'analytics-nightly-refresh-20260428-120000');
    expect(triggered).toEqual({ namespace: 'runstream-acme', name: 'analytics-nightly-refresh-20260428-120000' });

    const job = await clients.batch.readNamespacedJob({ name: triggered.name, namespace: 'runstream-acme' });
    expect(job.metadata?.labels).toMatchObject({ 'runstream.dev/job-id': jobs[0].id, 'runstream.dev/run-id': 'run_0000000000000000000000000000000a' });
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'analytics-nightly-refresh', uid: cronJob.metadata?.uid });
    expect(runner(job).args).toEqual(runner(cronJob).args);
    expect(runner(job).env).toEqual(
      expect.arrayContaining([
        { name: 'RUNSTREAM_RUN_ID', value: 'run_0000000000000000000000000000000a' },
        { name: 'RUNSTREAM_TRIGGERED_BY', value: 'manual' },
      ]),
    );

    await expect(reconciler.trigger(jobs[0], 'run_0000000000000000000000000000000a', 'analytics-nightly-refresh-20260428-120000')).resolves.toEqual(triggered);
    await expect(reconciler.trigger(jobs[0], 'run_0000000000000000000000000000000b', 'analytics-nightly-refresh-20260428-120000')).rejects.toThrow();

    // A job the reconciler has not seen yet gets its CronJob on the spot; an override argv is run.
    const fresh = row({ org_id: 'initech', id: 'job_00000000000000000000000000000004', name: 'adhoc' });
    const adhoc = await reconciler.trigger(fresh, 'run_0000000000000000000000000000000c', 'analytics-adhoc-20260428-120001', ['dbt', 'test']);
    expect(runner(await clients.batch.readNamespacedJob({ name: adhoc.name, namespace: adhoc.namespace })).args).toEqual(['dbt', 'test']);
    expect((await readCronJob('runstream-initech', 'analytics-adhoc')).metadata?.labels?.['runstream.dev/job-id']).toBe(fresh.id);
  });

  it('lists Job objects of the caller organisation in the reference shape, with status from conditions and counters', async () => {
    const source = new KubernetesLiveJobsSource(config, clients);
    jobs = [
      row({ org_id: 'umbrella', project_id: 'analytics' }),
      row({ org_id: 'umbrella', project_id: 'finance', id: 'job_00000000000000000000000000000005', name: 'close' }),
    ];
    await reconciler.reconcileNow();
    const ns = 'runstream-umbrella';
    const a = await reconciler.trigger(jobs[0], 'run_00000000000000000000000000000011', 'analytics-nightly-refresh-20260428-020000');
    const b = await reconciler.trigger(jobs[1], 'run_00000000000000000000000000000012', 'finance-close-20260428-030000');
    const c = await reconciler.trigger(jobs[1], 'run_00000000000000000000000000000013', 'finance-close-20260428-040000');

    // Nothing runs on the mock: write the status a Job controller would.
    const setStatus = async (name: string, status: V1Job['status']) => {
      const job = await clients.batch.readNamespacedJob({ name, namespace: ns });
      await clients.batch.replaceNamespacedJobStatus({ name, namespace: ns, body: { ...job, status } });
    };
    await setStatus(a.name, { active: 1, startTime: new Date('2026-04-28T02:00:00Z') });
    await setStatus(b.name, {
      succeeded: 1,
      startTime: new Date('2026-04-28T03:00:00Z'),
      completionTime: new Date('2026-04-28T03:05:00Z'),
      conditions: [{ type: 'Complete', status: 'True' }],
    });
    await setStatus(c.name, { failed: 1, startTime: new Date('2026-04-28T04:00:00Z'), conditions: [{ type: 'Failed', status: 'True' }] });

    const all = await source.list('umbrella', { limit: 50 });
    expect(all.total).toBe(3);
    expect(all.jobs).toEqual(
      expect.arrayContaining([
        { id: a.name, project: 'analytics', status: 'running', start_time: '2026-04-28T02:00:00Z' },
        { id: b.name, project: 'finance', status: 'success', start_time: '2026-04-28T03:00:00Z' },
        { id: c.name, project: 'finance', status: 'failed', start_time: '2026-04-28T04:00:00Z' },
      ]),
    );
    expect(await source.list('umbrella', { limit: 50, project: 'finance' })).toMatchObject({ total: 2 });
    expect(await source.list('umbrella', { limit: 50, status: 'running' })).toEqual({
      jobs: [{ id: a.name, project: 'analytics', status: 'running', start_time: '2026-04-28T02:00:00Z' }],
      total: 1,
    });
    const limited = await source.list('umbrella', { limit: 1 });
    expect(limited.jobs).toHaveLength(1);
    expect(limited.total).toBe(3);
    expect(await source.list('acme-not-there', { limit: 50 })).toEqual({ jobs: [], total: 0 });

    expect(await source.get('umbrella', b.name)).toEqual({
      id: b.name,
      project: 'finance',
      status: 'success',
      start_time: '2026-04-28T03:00:00Z',
      job_id: jobs[1].id,
      run_id: 'run_00000000000000000000000000000012',
      completion_time: '2026-04-28T03:05:00Z',
      namespace: ns,
    });
    expect(await source.get('acme', b.name)).toBeUndefined();
    expect(await source.get('umbrella', 'no-such-job')).toBeUndefined();
    expect(await source.get('umbrella', '../../secrets')).toBeUndefined();
    expect(await source.logs('umbrella', a.name, 100)).toEqual({ id: a.name, pod: null, lines: [] });
    expect(await source.logs('umbrella', 'no-such-job', 100)).toBeUndefined();

    // The mock's stand-in for a kubelet: the pod's log is the text of an annotation (deploy/k8s-mock).
    const output = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    await clients.core.createNamespacedPod({
      namespace: ns,
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${a.name}-x1y2z`, labels: { 'batch.kubernetes.io/job-name': a.name }, annotations: { 'k8s-mock.runstream.dev/log': output } },
        spec: { containers: [{ name: 'runner', image: 'r' }] },
      },
    });
    const logs = await source.logs('umbrella', a.name, 100);
    expect(logs?.pod).toBe(`${a.name}-x1y2z`);
    expect(logs?.lines).toHaveLength(100);
    expect([logs?.lines[0], logs?.lines[99]]).toEqual(['line 51', 'line 150']);
    expect((await source.logs('umbrella', a.name, 3))?.lines).toEqual(['line 148', 'line 149', 'line 150']);
  });
});
