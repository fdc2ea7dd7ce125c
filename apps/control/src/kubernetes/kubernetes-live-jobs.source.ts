import { Inject, Injectable } from '@nestjs/common';
import { ANNOTATION, JOB_NAME_LABEL, LABEL, MANAGED_BY, RUNNER_CONTAINER } from './cronjob-manifest';
import { liveJobStatus, rfc3339 } from './job-status';
import { apiStatus, kubernetesUnavailable, type KubernetesClients, type V1Job } from './kubernetes.client';
import type { KubernetesConfig } from './kubernetes.env';
import { KUBERNETES_CLIENTS, KUBERNETES_CONFIG } from './kubernetes.tokens';
import { DNS_LABEL_MAX, labelValue, namespaceFor } from './kubernetes-names';
import type { LiveJob, LiveJobDetail, LiveJobFilter, LiveJobLogs, LiveJobsSource } from './live-jobs';

const created = (job: V1Job) => job.metadata?.creationTimestamp?.getTime?.() ?? 0;

/** Live executions = the Job objects we labelled in the organisation's namespace. */
@Injectable()
export class KubernetesLiveJobsSource implements LiveJobsSource {
  constructor(
    @Inject(KUBERNETES_CONFIG) private readonly config: Pick<KubernetesConfig, 'namespacePrefix'>,
    @Inject(KUBERNETES_CLIENTS) private readonly clients: KubernetesClients,
  ) {}

  async list(orgId: string, filter: LiveJobFilter): Promise<{ jobs: LiveJob[]; total: number }> {
    const selector = [`${LABEL.managedBy}=${MANAGED_BY}`, `${LABEL.org}=${labelValue(orgId)}`];
    if (filter.project !== undefined) selector.push(`${LABEL.project}=${labelValue(filter.project)}`);
    let items: V1Job[];
    try {
      const list = await this.clients.batch.listNamespacedJob({ namespace: this.namespace(orgId), labelSelector: selector.join(',') });
      items = list.items;
    } catch (error) {
      if (apiStatus(error) === 404) return { jobs: [], total: 0 };
      throw kubernetesUnavailable(error);
    }
    const matches = items
      .filter((job) => this.ownedBy(job, orgId))
      .map((job) => this.toLiveJob(job))
      // A cleaned label value could be shared by two ids: the annotation has the exact one.
      .filter((job) => (filter.project === undefined || job.project === filter.project) && (filter.status === undefined || job.status === filter.status));
    const order = new Map(items.map((job) => [job.metadata?.name, created(job)]));
    matches.sort((a, b) => (order.get(b.id) ?? 0) - (order.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1));
    return { jobs: matches.slice(0, filter.limit), total: matches.length };
  }

  async get(orgId: string, id: string): Promise<LiveJobDetail | undefined> {
    const job = await this.read(orgId, id);
    if (!job) return undefined;
    return {
      ...this.toLiveJob(job),
      job_id: job.metadata?.annotations?.[ANNOTATION.jobId] ?? '',
      run_id: job.metadata?.annotations?.[ANNOTATION.runId] ?? null,
      completion_time: rfc3339(job.status?.completionTime),
      namespace: job.metadata?.namespace ?? '',
    };
  }

  async logs(orgId: string, id: string, tail: number): Promise<LiveJobLogs | undefined> {
    const job = await this.read(orgId, id);
    if (!job) return undefined;
    const namespace = this.namespace(orgId);
    const pods = await this.clients.core.listNamespacedPod({ namespace, labelSelector: `${JOB_NAME_LABEL}=${id}` }).catch((error: unknown) => {
      throw kubernetesUnavailable(error);
    });
    const newest = [...pods.items].sort((a, b) => (b.metadata?.creationTimestamp?.getTime?.() ?? 0) - (a.metadata?.creationTimestamp?.getTime?.() ?? 0))[0];
    const pod = newest?.metadata?.name;
    if (!pod) return { id, pod: null, lines: [] };
    try {
      // limitBytes: at most ~1 KiB a line of the tail asked for, whatever a line's length.
      const text = await this.clients.core.readNamespacedPodLog({
        name: pod,
        namespace,
        container: RUNNER_CONTAINER,
        tailLines: tail,
        limitBytes: tail * 1024,
      });
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return { id, pod, lines };
    } catch (error) {
      // 400: the container has not started yet; 404: the pod went away between list and read.
      if (apiStatus(error) === 400 || apiStatus(error) === 404) return { id, pod, lines: [] };
      throw kubernetesUnavailable(error);
    }
  }

  private namespace(orgId: string): string {
    return namespaceFor(this.config.namespacePrefix, orgId);
  }

  private ownedBy(job: V1Job, orgId: string): boolean {
    return job.metadata?.labels?.[LABEL.managedBy] === MANAGED_BY && job.metadata?.annotations?.[ANNOTATION.org] === orgId;
  }

  private async read(orgId: string, id: string): Promise<V1Job | undefined> {
    // Only a name Kubernetes could have reaches the API (and the pod label selector).
    if (id.length > DNS_LABEL_MAX || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id)) return undefined;
    try {
      const job = await this.clients.batch.readNamespacedJob({ name: id, namespace: this.namespace(orgId) });
      return this.ownedBy(job, orgId) ? job : undefined;
    } catch (error) {
      if (apiStatus(error) === 404) return undefined;
      throw kubernetesUnavailable(error);
    }
  }

  private toLiveJob(job: V1Job): LiveJob {
    return {
      id: job.metadata?.name ?? '',
      project: job.metadata?.annotations?.[ANNOTATION.project] ?? '',
      status: liveJobStatus(job),
      start_time: rfc3339(job.status?.startTime),
    };
  }
}
