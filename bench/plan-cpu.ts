/**
 * The materializer's JavaScript per event without the engine: decoding (JSON and the event
 * schema) and folding (eventRow and the fold) of section 2's run histories, timed in the bench
 * process. Reported beside section 2 so changes to either show apart from chDB's share.
 */
import { RunRow } from '@runstream/clickhouse';
import { decodeEvent, encodeEvent } from '@runstream/events';
import { eventRow } from '../apps/materializer/src/consumer/flush-plan';
import { foldRunEvent } from '../apps/materializer/src/fold/run-fold';
import { runHistory } from './events';
import { median } from './support';

const RUNS = 2000;
const WARM_UP = 3;
const MEASURED = 7;

export interface PlanCpu {
  decodeUs: number;
  foldUs: number;
}

function once(values: Buffer[]): PlanCpu {
  const started = process.hrtime.bigint();
  const decoded = values.map((value) => decodeEvent(value));
  const folding = process.hrtime.bigint();
  const states = new Map<string, RunRow>();
  decoded.forEach((result, offset) => {
    if (!result.ok) throw new Error(`bench history does not decode: ${result.reason}`);
    const position = { partition: 0, offset: String(offset) };
    eventRow(result.event, position);
    const outcome = foldRunEvent(states.get(result.event.run_id), result.event, position);
    if (outcome.kind === 'applied' && outcome.row) states.set(result.event.run_id, outcome.row);
  });
  const done = process.hrtime.bigint();
  const us = (ns: bigint) => Number(ns) / 1000 / values.length;
  return { decodeUs: us(folding - started), foldUs: us(done - folding) };
}

/** Median µs per event of each step over 2,000 run histories (20,000 events). */
export function measurePlanCpu(): PlanCpu {
  const values = Array.from({ length: RUNS }, (_, i) => runHistory(i).map(encodeEvent)).flat();
  const runs = Array.from({ length: WARM_UP + MEASURED }, () => once(values)).slice(WARM_UP);
  const round = (us: number) => Math.round(us * 10) / 10;
  return { decodeUs: round(median(runs.map((r) => r.decodeUs))), foldUs: round(median(runs.map((r) => r.foldUs))) };
}
