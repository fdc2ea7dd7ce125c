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
  /** Orders the changes of one event: runs before executions, then by key. */
  key: string;
  body: ChangeBody;
}

export function runChange(row: RunRow): Change {
  return {
    partition: Number(row.kafka_partition),
    offset: BigInt(row.kafka_offset),
    key: `0\u0000${row.id}`,
    body: { type: 'run', run: toJobRun(row), log_position: `${row.kafka_partition}:${row.kafka_offset}` },
  };
}

export function executionChange(row: ExecutionChangeRow): Change {
  return {
    partition: Number(row.kafka_partition),
    offset: BigInt(row.kafka_offset),
    key: `1\u0000${row.model_name}\u0000${row.id}`,
    body: { type: 'model_execution', model_execution: toExecution(row), log_position: `${row.kafka_partition}:${row.kafka_offset}` },
  };
}

/** The feed's order: log offset, then partition, then within one event by key. */
export function compareChanges(a: Change, b: Change): number {
  if (a.offset !== b.offset) return a.offset < b.offset ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export const sameEvent = (a: Change, b: Change): boolean => a.partition === b.partition && a.offset === b.offset;
