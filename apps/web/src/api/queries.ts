import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, withQuery } from './client';
import type {
  DailyStats,
  EltRun,
  ExecutionList,
  Job,
  LiveJob,
  ModelStats,
  ModelStatsParams,
  OrgStats,
  RunList,
  RunListParams,
  TriggerAnswer,
  UpdateJobBody,
} from './types';

/** How often live views poll while something is running (docs/web.md, "Live refresh"). */
export const LIVE_MS = 3_000;

const enc = encodeURIComponent;

export function useRuns(project: string, params: RunListParams) {
  return useQuery({
    queryKey: ['runs', project, params],
    queryFn: () => api<RunList>(withQuery(`/api/v1/projects/${enc(project)}/runs`, params)),
    placeholderData: keepPreviousData,
    // The page refreshes while any of its runs is still going; finished pages stay put.
    refetchInterval: (query) => (query.state.data?.runs.some((run) => run.status === 'running' || run.status === 'pending') ? LIVE_MS : false),
  });
}

/** One run as the write API speaks it: logs and telemetry. Polled while it is not finished. */
/** `live`: polled every LIVE_MS while the run is not finished (off while its event stream is up, see run-stream.ts). */
export function useEltRun(runId: string, live = true, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['elt-run', runId],
    queryFn: () => api<EltRun>(`/api/elt/runs/${enc(runId)}`),
    refetchInterval: (query) => (live && isActive(query.state.data?.status) ? LIVE_MS : false),
    staleTime: (query) => (isActive(query.state.data?.status) ? 0 : Infinity),
  });
}

export function isActive(status: string | undefined): boolean {
  return status === 'running' || status === 'pending';
}

/** A run shows at most this many of its executions (20 pages of the list's largest). */
const MAX_RUN_EXECUTION_PAGES = 20;

/** After a run ends, its executions are read again this long later: dbt reports them with or just after the final status. */
const AFTER_END_MS = 5_000;

export function useRunExecutions(projectId: string | undefined, createdAt: string | undefined, runId: string, live: boolean) {
  const client = useQueryClient();
  const wasLive = useRef(live);
  useEffect(() => {
    if (!wasLive.current || live) {
      wasLive.current = live;
      return;
    }
    wasLive.current = false;
    const refresh = () => void client.invalidateQueries({ queryKey: ['run-executions', runId] });
    refresh();
    const later = setTimeout(refresh, AFTER_END_MS);
    return () => clearTimeout(later);
  }, [live, runId, client]);
  return useQuery({
    queryKey: ['run-executions', runId],
    enabled: Boolean(projectId && createdAt),
    // The run's own (job_run_id), reported since it was created: every page of them.
    queryFn: async () => {
      const since = new Date(new Date(createdAt as string).getTime() - 60_000).toISOString();
      const executions: ExecutionList['executions'] = [];
      for (let page = 1; page <= MAX_RUN_EXECUTION_PAGES; page++) {
        const list = await api<ExecutionList>(
          withQuery(`/api/v1/projects/${enc(projectId as string)}/model-executions`, { job_run_id: runId, updated_after: since, limit: 500, page }),
        );
        executions.push(...list.executions);
        if (page >= list.total_pages) break;
      }
      // An execution is (model, id); a live run's new rows shift the pages, so one may come twice.
      const unique = new Map(executions.map((execution) => [executionKey(execution), execution]));
      return [...unique.values()].sort((a, b) => a.started_at.localeCompare(b.started_at));
    },
    refetchInterval: live ? LIVE_MS : false,
  });
}

export function useDailyStats(project: string, days: number) {
  return useQuery({
    queryKey: ['daily-stats', project, days],
    queryFn: () => api<DailyStats>(withQuery(`/api/v1/projects/${enc(project)}/runs/daily-stats`, { days })),
  });
}

export function useModelStats(project: string, params: ModelStatsParams) {
  return useQuery({
    queryKey: ['model-stats', project, params],
    queryFn: () => api<{ stats: ModelStats[]; total: number }>(withQuery(`/api/v1/projects/${enc(project)}/model-executions/stats`, params)),
  });
}

/** The organisation's projects with runs in the last 30 days (the read API has no project list). */
export function useProjects() {
  return useQuery({
    queryKey: ['projects'],
    queryFn: async () => {
      const now = Date.now();
      const to = Math.ceil(now / 3_600_000) * 3_600_000;
      const stats = await api<OrgStats>(withQuery('/v1/executions/stats', { from: to - 30 * 86_400_000, to, granularity: 'daily' }));
      return stats.data;
    },
    staleTime: 60_000,
  });
}

export function useJobs(project: string) {
  return useQuery({
    queryKey: ['jobs', project],
    queryFn: () => api<{ jobs: Job[]; total: number }>(`/api/v1/projects/${enc(project)}/jobs`),
  });
}

export function useLiveJobs(project?: string) {
  return useQuery({
    queryKey: ['live-jobs', project ?? ''],
    queryFn: () => api<{ jobs: LiveJob[]; total: number }>(withQuery('/api/v1/jobs', { project, limit: 50 })),
    refetchInterval: LIVE_MS,
  });
}

export function useUpdateJob(project: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ jobId, body }: { jobId: string; body: UpdateJobBody }) =>
      api<Job>(`/api/v1/projects/${enc(project)}/jobs/${enc(jobId)}`, { method: 'PUT', body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['jobs', project] }),
  });
}

export function useTriggerJob(project: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => api<TriggerAnswer>(`/api/v1/projects/${enc(project)}/jobs/${enc(jobId)}/trigger`, { method: 'POST' }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['job-runs', project] });
      void client.invalidateQueries({ queryKey: ['live-jobs'] });
    },
  });
}

/**
 * The last runs of one job (its runs carry the job's name as cronjob_name). Right after a
 * trigger (`awaiting`) it polls every second until that run is readable: it goes through Kafka first.
 */
export function useJobRuns(project: string, jobName: string, awaiting?: string) {
  return useQuery({
    queryKey: ['job-runs', project, jobName],
    queryFn: () => api<RunList>(withQuery(`/api/v1/projects/${enc(project)}/runs`, { cronjob_name: jobName, limit: 5, include_stats: false })),
    refetchInterval: (query) => {
      const runs = query.state.data?.runs ?? [];
      if (awaiting && !runs.some((run) => run.id === awaiting)) return 1_000;
      return runs.some((run) => isActive(run.status)) ? LIVE_MS : 10_000;
    },
  });
}

/** What identifies a model execution: its id within its model (docs/write-api.md). */
export function executionKey(execution: { model_name: string; id: string }): string {
  return `${execution.model_name}\u0000${execution.id}`;
}
