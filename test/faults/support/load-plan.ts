import { PlannedExecution, PlannedWrite } from './ledger';

export interface RunShape {
  /** appendLog PATCHes per run; keep well under the 500-line cap so every line stays readable. */
  logLines: number;
  /** model-execution reports per run, two executions each. */
  executionReports: number;
}

export const MODELS = ['orders.stg_orders', 'orders.fct_orders', 'customers.dim_customers', 'payments.stg_payments', 'marts.revenue'];

/** Every fourth run fails, the others succeed. */
export function finalStatus(runIndex: number): 'success' | 'failed' {
  return runIndex % 4 === 0 ? 'failed' : 'success';
}

/**
 * The writes of one run, in the order a runner sends them: create, running, log lines with
 * execution reports spread among them, then the terminal status. Log texts, execution ids and
 * idempotency keys carry `tag`, so they are unique across tests sharing a broker and engine.
 */
export function planRun(tag: string, projectId: string, runIndex: number, shape: RunShape): PlannedWrite[] {
  let seq = 0;
  const write = (kind: PlannedWrite['kind'], body: Record<string, unknown>, extra: Partial<PlannedWrite> = {}): PlannedWrite => ({
    kind,
    runIndex,
    idempotencyKey: `${tag}-r${runIndex}-w${(seq += 1)}`,
    body,
    ...extra,
  });
  const writes: PlannedWrite[] = [
    write('create', { projectId, jobName: `${tag}-job-${runIndex}`, cronjobName: `cron-${runIndex % 3}`, triggeredBy: 'scheduled' }),
    write('status', { status: 'running' }, { status: 'running' }),
  ];
  const reportEvery = Math.max(1, Math.floor(shape.logLines / Math.max(1, shape.executionReports)));
  let reports = 0;
  for (let line = 0; line < shape.logLines; line += 1) {
    const message = `${tag} run ${runIndex} line ${line}`;
    writes.push(write('log', { appendLog: { level: line % 7 === 6 ? 'warn' : 'info', message } }, { message }));
    if ((line + 1) % reportEvery === 0 && reports < shape.executionReports) writes.push(executionReport(write, tag, runIndex, (reports += 1)));
  }
  while (reports < shape.executionReports) writes.push(executionReport(write, tag, runIndex, (reports += 1)));
  const status = finalStatus(runIndex);
  writes.push(write('status', { status: status === 'success' ? 'succeeded' : 'failed' }, { status }));
  return writes;
}

function executionReport(
  write: (kind: PlannedWrite['kind'], body: Record<string, unknown>, extra: Partial<PlannedWrite>) => PlannedWrite,
  tag: string,
  runIndex: number,
  report: number,
): PlannedWrite {
  const executions: PlannedExecution[] = [0, 1].map((k) => ({
    id: `exec_${tag}_${runIndex}_${report}_${k}`,
    model: MODELS[(runIndex + report * 2 + k) % MODELS.length],
    status: (runIndex + report + k) % 5 === 0 ? 'failed' : 'success',
  }));
  const startedAt = Date.UTC(2026, 1, 1 + (runIndex % 20), 6, report, 0);
  const body = {
    executions: executions.map((e, k) => ({
      id: e.id,
      model_name: e.model,
      status: e.status,
      started_at: new Date(startedAt).toISOString(),
      completed_at: new Date(startedAt + 1000 * (1 + ((runIndex + k) % 30))).toISOString(),
      rows_processed: runIndex * 100 + k,
    })),
  };
  return write('executions', body, { executions });
}
