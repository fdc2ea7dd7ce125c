import { RunSummary } from '@runstream/clickhouse';
import { PageMeta } from './page';

export { JobRun, roundSeconds, RunSummary, toJobRun, toRunSummary } from '@runstream/clickhouse';

export interface RunStats {
  project_id: string;
  total_runs: number;
  successful_runs: number;
  failed_runs: number;
  error_runs: number;
  avg_success_duration: number | null;
}

export interface RunListResponse extends PageMeta {
  runs: RunSummary[];
  stats?: RunStats;
}
