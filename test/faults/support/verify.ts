import { LedgerSummary, occurrences, summarize, WriteRecord } from './ledger';
import { ReadBack } from './read-back';

export interface FaultReport {
  ledger: LedgerSummary;
  /** Recomputed from the acknowledged writes. */
  expected: { runs: number; logLines: number; executions: number; success: number; failed: number };
  /** Served by the read API. */
  served: { runs: number; logLines: number; executions: number; success: number; failed: number; unknownRuns: number; repeatedLogLines: number };
  /** Every difference between the two that the ledger cannot explain; empty when nothing was lost or doubled. */
  violations: string[];
}

const within = (value: number, [min, max]: [number, number]): boolean => value >= min && value <= max;
const range = ([min, max]: [number, number]): string => (min === max ? String(min) : `${min}..${max}`);

/**
 * Compares what the read API serves with what the acknowledged writes imply. A write never in
 * doubt must be read exactly once; one in doubt at least once and at most once per attempt that
 * may have landed; one never acknowledged at most that often (see ledger.occurrences).
 */
export function verify(records: readonly WriteRecord[], served: ReadBack): FaultReport {
  const violations: string[] = [];
  const creates = records.filter((r) => r.kind === 'create');
  const known = new Map(creates.filter((r) => r.acked && r.runId).map((r) => [r.runId as string, r]));
  const byRun = new Map<string, WriteRecord[]>();
  for (const r of records) if (r.kind !== 'create' && r.runId) byRun.set(r.runId, [...(byRun.get(r.runId) ?? []), r]);

  // Runs: every acknowledged create is served; others only as far as unanswered creates explain.
  for (const runId of known.keys()) if (!served.runs.has(runId)) violations.push(`run ${runId}: acknowledged, not served`);
  const unknown = [...served.runs.entries()].filter(([id]) => !known.has(id));
  const unknownBound = creates.reduce((sum, r) => sum + occurrences(r)[1] - (r.acked ? 1 : 0), 0);
  if (unknown.length > unknownBound)
    violations.push(`${unknown.length} runs served that no acknowledged create named; at most ${unknownBound} explained by creates in doubt`);
  for (const [id, status] of unknown)
    if (status !== 'pending' || (served.logs.get(id) ?? []).length > 0)
      violations.push(`unknown run ${id}: ${status} with ${served.logs.get(id)?.length} log lines`);
  if (served.runsTotal !== served.runs.size || served.runStats.total_runs !== served.runs.size) {
    violations.push(`runs list total ${served.runsTotal}, stats total_runs ${served.runStats.total_runs}, rows ${served.runs.size}`);
  }

  // Final statuses: the last acknowledged status write, or a later one that may have landed.
  const counts = { success: [0, 0] as [number, number], failed: [0, 0] as [number, number] };
  for (const runId of known.keys()) {
    const statusWrites = (byRun.get(runId) ?? []).filter((r) => r.kind === 'status');
    const lastAcked = statusWrites.map((r) => r.acked).lastIndexOf(true);
    const allowed = new Set([lastAcked >= 0 ? (statusWrites[lastAcked].status as string) : 'pending']);
    for (const r of statusWrites.slice(lastAcked + 1)) if (occurrences(r)[1] > 0) allowed.add(r.status as string);
    const status = served.runs.get(runId);
    if (status !== undefined && !allowed.has(status)) violations.push(`run ${runId}: status ${status}, expected ${[...allowed].join(' or ')}`);
    for (const word of ['success', 'failed'] as const) {
      if (allowed.has(word)) counts[word][1] += 1;
      if (allowed.size === 1 && allowed.has(word)) counts[word][0] += 1;
    }
  }
  if (!within(served.runStats.successful_runs, counts.success))
    violations.push(`successful_runs ${served.runStats.successful_runs}, expected ${range(counts.success)}`);
  if (!within(served.runStats.failed_runs, counts.failed)) violations.push(`failed_runs ${served.runStats.failed_runs}, expected ${range(counts.failed)}`);

  // Log lines: each text is unique, so its count in the run's log is how often the write landed.
  let repeatedLogLines = 0;
  for (const [runId, writes] of byRun) {
    const lines = served.logs.get(runId) ?? [];
    const tally = new Map<string, number>();
    for (const line of lines) tally.set(line, (tally.get(line) ?? 0) + 1);
    const logWrites = writes.filter((r) => r.kind === 'log');
    for (const r of logWrites) {
      const seen = tally.get(r.message as string) ?? 0;
      if (seen > 1) repeatedLogLines += seen - 1;
      if (!within(seen, occurrences(r)))
        violations.push(`run ${runId}: line "${r.message}" read ${seen} times, expected ${range(occurrences(r))} (${describeAttempts(r)})`);
    }
    const planned = new Set(logWrites.map((r) => r.message));
    for (const line of tally.keys()) if (!planned.has(line)) violations.push(`run ${runId}: line "${line}" was never written`);
  }

  // Executions: ids are the client's, so a repeated report replaces rather than adds.
  const servedById = new Map<string, number>();
  for (const e of served.executions) servedById.set(e.id, (servedById.get(e.id) ?? 0) + 1);
  const planned = new Map<string, { runId: string; model: string; status: string; acked: boolean; mayLand: boolean }>();
  for (const r of records.filter((w) => w.kind === 'executions')) {
    for (const e of r.executions ?? [])
      planned.set(e.id, { runId: r.runId as string, model: e.model, status: e.status, acked: r.acked, mayLand: occurrences(r)[1] > 0 });
  }
  for (const [id, p] of planned) {
    const seen = servedById.get(id) ?? 0;
    const expected: [number, number] = p.acked ? [1, 1] : [0, p.mayLand ? 1 : 0];
    if (!within(seen, expected)) violations.push(`execution ${id} of run ${p.runId}: served ${seen} times, expected ${range(expected)}`);
  }
  for (const e of served.executions) {
    const p = planned.get(e.id);
    if (!p) violations.push(`execution ${e.id}: served, never reported`);
    else if (e.job_run_id !== p.runId || e.model_name !== p.model || e.status !== p.status)
      violations.push(`execution ${e.id}: served as ${e.job_run_id}/${e.model_name}/${e.status}`);
  }
  if (served.executionsTotal !== served.executions.length) violations.push(`executions total ${served.executionsTotal}, rows ${served.executions.length}`);

  // Per-model stats: recomputed from the acknowledged reports.
  const models = new Set([...[...planned.values()].map((p) => p.model), ...served.modelStats.map((s) => s.model_name)]);
  for (const model of models) {
    const stat = served.modelStats.find((s) => s.model_name === model);
    const mine = [...planned.values()].filter((p) => p.model === model);
    const bounds = (keep: (p: { status: string }) => boolean): [number, number] => [
      mine.filter((p) => p.acked && keep(p)).length,
      mine.filter((p) => (p.acked || p.mayLand) && keep(p)).length,
    ];
    const checks: [string, number, [number, number]][] = [
      ['total_executions', stat?.total_executions ?? 0, bounds(() => true)],
      ['successful_executions', stat?.successful_executions ?? 0, bounds((p) => p.status === 'success')],
      ['failed_executions', stat?.failed_executions ?? 0, bounds((p) => p.status === 'failed')],
    ];
    for (const [name, value, b] of checks) if (!within(value, b)) violations.push(`model ${model}: ${name} ${value}, expected ${range(b)}`);
  }

  const ackedLogs = records.filter((r) => r.kind === 'log' && r.acked);
  return {
    ledger: summarize(records),
    expected: {
      runs: known.size,
      logLines: ackedLogs.length,
      executions: [...planned.values()].filter((p) => p.acked).length,
      success: counts.success[0],
      failed: counts.failed[0],
    },
    served: {
      runs: served.runs.size,
      logLines: [...served.logs.values()].reduce((sum, lines) => sum + lines.length, 0),
      executions: served.executions.length,
      success: served.runStats.successful_runs,
      failed: served.runStats.failed_runs,
      unknownRuns: unknown.length,
      repeatedLogLines,
    },
    violations,
  };
}

function describeAttempts(record: WriteRecord): string {
  return record.attempts.map((a) => (a.status !== undefined ? String(a.status) : a.outcome) + (a.incarnation ? `@${a.incarnation}` : '')).join(', ');
}
