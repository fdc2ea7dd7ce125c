import { ExecutionChangeRow, JobRun, RunRow, toJobRun } from '@runstream/clickhouse';
import { Execution, toExecution } from '../executions/execution.response';

/** One entry of the feed: a run's or a model execution's current state. */
export type ChangeBody = ({ type: 'run'; run: JobRun } | { type: 'model_execution'; model_execution: Execution }) & {
  /** `partition:offset` of the event that produced this state: versions of one entity increase in it. */
  log_position: string;
};

/** A change and where its producing event sits in the log (the feed's total order). */
export interface Change {
  partition: number;
  offset: bigint;
  /** Orders the changes of one event: runs before executions, then by key (the SQL's ORDER BY columns). */
  key: readonly string[];
  body: ChangeBody;
}

export function runChange(row: RunRow): Change {
  return {
    partition: Number(row.kafka_partition),
    offset: BigInt(row.kafka_offset),
    key: ['0', row.id],
    body: { type: 'run', run: toJobRun(row), log_position: `${row.kafka_partition}:${row.kafka_offset}` },
  };
}

export function executionChange(row: ExecutionChangeRow): Change {
  return {
    partition: Number(row.kafka_partition),
    offset: BigInt(row.kafka_offset),
    key: ['1', row.model_name, row.id],
    body: { type: 'model_execution', model_execution: toExecution(row), log_position: `${row.kafka_partition}:${row.kafka_offset}` },
  };
}

/** The feed's order: log offset, then partition, then within one event by key. */
export function compareChanges(a: Change, b: Change): number {
  if (a.offset !== b.offset) return a.offset < b.offset ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  for (let i = 0; i < Math.min(a.key.length, b.key.length); i += 1) {
    const order = compareUtf8(a.key[i], b.key[i]);
    if (order !== 0) return order;
  }
  return a.key.length - b.key.length;
}

/**
 * Strings in UTF-8 byte order, as ClickHouse sorts them (the feed's SQL and this order must
 * agree, or a page that completes an event drops its changes). UTF-16 code units order the
 * same except surrogates (code points past U+FFFF), which UTF-8 puts after U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return inCodePointOrder(x) - inCodePointOrder(y);
  }
  return a.length - b.length;
}

/** Moves surrogates above U+E000–U+FFFF, keeping every other code unit's order. */
function inCodePointOrder(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

export const sameEvent = (a: Change, b: Change): boolean => a.partition === b.partition && a.offset === b.offset;
