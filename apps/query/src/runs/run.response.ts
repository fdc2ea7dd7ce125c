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

/** A run of the list; with include_telemetry=true it carries its telemetry summary too. */
export interface RunListItem extends RunSummary {
  telemetry_summary?: Record<string, unknown>;
}

export interface RunListResponse extends PageMeta {
  runs: RunListItem[];
  stats?: RunStats;
}
