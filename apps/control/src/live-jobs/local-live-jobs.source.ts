import { Injectable } from '@nestjs/common';
import { ClickHouseStore, findJobRunByName, fromChDateTime, listJobRuns, RunRow, selectRunLog, toChDateTime } from '@runstream/clickhouse';
import { LiveJob, LiveJobDetail, LiveJobFilter, LiveJobLogs, LiveJobsSource, LiveJobStatus } from '../kubernetes/live-jobs';

/** How far back the local backend's "running and recently completed" list reaches. */
export const LOCAL_LIVE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** The run statuses each live status stands for (a Kubernetes Job is only pending, running, done or failed). */
const RUN_STATUSES: Record<LiveJobStatus, string[]> = {
  pending: ['pending'],
  running: ['running'],
  success: ['success'],
  failed: ['partial', 'failed', 'error', 'cancelled'],
};

function liveStatus(status: string): LiveJobStatus {
  if (status === 'pending' || status === 'running' || status === 'success') return status;
  return 'failed';
}

function toLiveJob(run: RunRow): LiveJob {
  return { id: run.job_name, project: run.project_id, status: liveStatus(run.status), start_time: fromChDateTime(run.start_time) };
}

/**
 * The local backend's live executions: the runs the agent executes for jobs, from the read
 * model (there are no Kubernetes Job objects). An execution's id is its run's job_name.
 */
@Injectable()
export class LocalLiveJobsSource implements LiveJobsSource {
  constructor(private readonly store: ClickHouseStore) {}

  async list(orgId: string, filter: LiveJobFilter): Promise<{ jobs: LiveJob[]; total: number }> {
    const { rows, total } = await listJobRuns(this.store, {
      orgId,
      statuses: filter.status ? RUN_STATUSES[filter.status] : [],
      projectId: filter.project,
      since: toChDateTime(Date.now() - LOCAL_LIVE_WINDOW_MS),
      limit: filter.limit,
    });
    return { jobs: rows.map(toLiveJob), total };
  }

  async get(orgId: string, id: string): Promise<LiveJobDetail | undefined> {
    const run = await findJobRunByName(this.store, orgId, id);
    if (!run) return undefined;
    const done = liveStatus(run.status) === 'success' || liveStatus(run.status) === 'failed';
    return { ...toLiveJob(run), job_id: run.job_id, run_id: run.id, completion_time: done ? fromChDateTime(run.end_time) : null, namespace: run.namespace };
  }

  async logs(orgId: string, id: string, tail: number): Promise<LiveJobLogs | undefined> {
    const run = await findJobRunByName(this.store, orgId, id);
    if (!run) return undefined;
    // An entry may hold several lines (the agent sends a program's output in batches): `tail` counts lines, as a pod log's would.
    const lines = (await selectRunLog(this.store, run)).flatMap((entry) =>
      entry.message.split('\n').map((line) => `${fromChDateTime(entry.at)} ${entry.level} ${line}`),
    );
    return { id, pod: null, lines: lines.slice(-tail) };
  }
}
