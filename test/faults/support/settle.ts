import { setTimeout as sleep } from 'node:timers/promises';
import { WriteRecord } from './ledger';
import { readBack } from './read-back';
import { FaultReport, verify } from './verify';

/** Sum of the materializer's consumer_lag gauges; undefined while it cannot say. */
export async function materializerLag(metricsUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const lines = (await response.text()).split('\n').filter((line) => line.startsWith('runstream_kafka_consumer_lag{') && line.includes(`app="materializer"`));
    return lines.length === 0 ? undefined : lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  } catch {
    return undefined;
  }
}

export interface SettleTarget {
  queryUrl: string;
  metricsUrl: string;
  token: string;
  projectId: string;
}

const sameServed = (a: FaultReport, b: FaultReport): boolean => JSON.stringify(a.served) === JSON.stringify(b.served);

/**
 * Waits until the materializer has folded everything on the topic and the read API agrees with
 * the ledger, or, if it never does, until what it serves stops changing with no lag left (a
 * doubled or lost write does not heal by waiting). Returns the last comparison.
 */
export async function settle(target: SettleTarget, records: readonly WriteRecord[], timeoutMs = 90_000): Promise<FaultReport> {
  const giveUpAt = Date.now() + timeoutMs;
  let previous: FaultReport | undefined;
  for (;;) {
    const lag = await materializerLag(target.metricsUrl);
    if (lag === 0 || Date.now() > giveUpAt) {
      const report = verify(records, await readBack(target.queryUrl, target.token, target.projectId));
      if (report.violations.length === 0 || Date.now() > giveUpAt) return report;
      if (previous && sameServed(previous, report)) return report;
      previous = report;
      await sleep(1_000);
    } else {
      previous = undefined;
      await sleep(250);
    }
  }
}

/** One line per scenario for the test log: what was acknowledged, in doubt, and read back. */
export function describeReport(name: string, report: FaultReport, extra: Record<string, unknown> = {}): string {
  const { ledger, expected, served } = report;
  return [
    `[faults] ${name}: writes ${ledger.writes}, acked ${ledger.acked}, acked in doubt ${ledger.ackedInDoubt} (unanswered ${ledger.inDoubtUnanswered}, 5xx before a restart ${ledger.inDoubtAcrossRestart}), not acked ${ledger.notAcked}, rejected ${ledger.rejected}`,
    `  attempts ${ledger.attempts} (unanswered ${ledger.unansweredAttempts}, refused ${ledger.refusedAttempts}), answers ${JSON.stringify(ledger.answers)}, errors ${JSON.stringify(ledger.errors)}`,
    `  expected runs ${expected.runs}, log lines ${expected.logLines}, executions ${expected.executions}, success ${expected.success}, failed ${expected.failed}`,
    `  served   runs ${served.runs} (unknown ${served.unknownRuns}), log lines ${served.logLines} (repeated ${served.repeatedLogLines}), executions ${served.executions}, success ${served.success}, failed ${served.failed}`,
    ...Object.entries(extra).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
    ...report.violations.slice(0, 20).map((v) => `  VIOLATION ${v}`),
    ...(report.violations.length > 20 ? [`  … ${report.violations.length - 20} more violations`] : []),
  ].join('\n');
}
