import { RegressionReport, SlaReport } from './models';
import { Transport } from './transport';

/** Days (of `days` ending today, UTC) whose exact p95 run duration exceeded the threshold. */
export function slaBreaches(transport: Transport, projectId: string, thresholdSeconds: number, days = 7, cronjobName?: string): Promise<SlaReport> {
  const query = { threshold_seconds: thresholdSeconds, days, ...(cronjobName ? { cronjob_name: cronjobName } : {}) };
  return transport.call<SlaReport>(() => transport.read.GET('/api/v1/projects/{id}/sla', { params: { path: { id: projectId }, query } }));
}

export interface Windows {
  /** YYYY-MM-DD, inclusive. */
  current: [start: string, end: string];
  previous: [start: string, end: string];
}

/** Models whose p95 grew by more than minChange (0.2 = +20 %) between the windows, largest first. */
export function modelRegressions(transport: Transport, projectId: string, windows: Windows, minChange = 0.2): Promise<RegressionReport> {
  const query = {
    current_start: windows.current[0],
    current_end: windows.current[1],
    previous_start: windows.previous[0],
    previous_end: windows.previous[1],
    min_change: minChange,
  };
  return transport.call<RegressionReport>(() =>
    transport.read.GET('/api/v1/projects/{id}/model-executions/regressions', { params: { path: { id: projectId }, query } }),
  );
}
