import {
  ChDateTime,
  ClickHouseStore,
  executionKey,
  ModelExecutionKey,
  ModelExecutionRow,
  RunEventRow,
  RunKey,
  RunLogEntryRow,
  RunRow,
  RunTelemetrySampleRow,
  selectExecutionCreatedAt,
  selectRunsByKey,
  toChDateTime,
} from '@runstream/clickhouse';
import { AnyRunEvent, decodeEvent } from '@runstream/events';
import { DeadLetter, IncomingMessage } from '@runstream/kafka';
import { FoldOutcome, foldRunEvent, LogPosition } from '../fold/run-fold';

interface Positioned {
  event: AnyRunEvent;
  position: LogPosition;
  message: IncomingMessage;
}

/** Everything one flush writes, computed before any of it is written. */
export interface FlushPlan {
  messages: IncomingMessage[];
  events: RunEventRow[];
  /** The new state of every run the flush changed, by runKey. */
  changed: Map<string, RunRow>;
  logs: RunLogEntryRow[];
  samples: RunTelemetrySampleRow[];
  executions: ModelExecutionRow[];
  dead: DeadLetter[];
}

function runKey(key: RunKey): string {
  return `${key.org_id}\u0000${key.project_id}\u0000${key.id}`;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The audit row of one event at its log position (run_events). */
export function eventRow(event: AnyRunEvent, position: LogPosition): RunEventRow {
  return {
    event_id: event.event_id,
    type: event.type,
    schema_version: event.schema_version,
    org_id: event.org_id,
    project_id: event.project_id,
    run_id: event.run_id,
    occurred_at: toChDateTime(event.occurred_at),
    actor: event.actor,
    payload: JSON.stringify(event.payload),
    kafka_partition: position.partition,
    kafka_offset: position.offset,
  };
}

function decode(messages: IncomingMessage[], dead: DeadLetter[]): Positioned[] {
  const decoded: Positioned[] = [];
  for (const message of messages) {
    try {
      const result = decodeEvent(message.value);
      if (!result.ok) dead.push({ message, reason: result.reason });
      else if (message.key !== result.event.run_id) dead.push({ message, reason: `message key ${JSON.stringify(message.key)} is not the run id` });
      else decoded.push({ event: result.event, position: { partition: message.partition, offset: message.offset }, message });
    } catch (error) {
      dead.push({ message, reason: `undecodable event: ${errorText(error)}` });
    }
  }
  return decoded;
}

function reportedExecutionKeys(decoded: Positioned[]): ModelExecutionKey[] {
  return decoded.flatMap(({ event }) =>
    event.type === 'model_executions.reported'
      ? event.payload.executions.map((e) => ({ org_id: event.org_id, project_id: event.project_id, model_name: e.model_name, id: e.id }))
      : [],
  );
}

/** The run states and execution created_at values the fold starts from, read from ClickHouse. */
async function startingPoint(store: ClickHouseStore, decoded: Positioned[]) {
  const keys = new Map<string, RunKey>();
  for (const { event } of decoded) {
    const key = { org_id: event.org_id, project_id: event.project_id, id: event.run_id };
    keys.set(runKey(key), key);
  }
  const [rows, createdAt] = await Promise.all([selectRunsByKey(store, [...keys.values()]), selectExecutionCreatedAt(store, reportedExecutionKeys(decoded))]);
  return { states: new Map(rows.map((row) => [runKey(row), row])), createdAt };
}

/** Decodes a flush, reads the states it starts from and folds every event: what to write, and what to dead-letter. */
export async function planFlush(store: ClickHouseStore, messages: IncomingMessage[]): Promise<FlushPlan> {
  const dead: DeadLetter[] = [];
  const decoded = decode(messages, dead);
  const { states, createdAt } = await startingPoint(store, decoded);
  const plan: FlushPlan = {
    messages,
    events: decoded.map((item) => eventRow(item.event, item.position)),
    changed: new Map(),
    logs: [],
    samples: [],
    executions: [],
    dead,
  };
  const known = (key: ModelExecutionKey): ChDateTime | undefined => createdAt.get(executionKey(key));
  for (const item of decoded) {
    const key = runKey({ org_id: item.event.org_id, project_id: item.event.project_id, id: item.event.run_id });
    let outcome: FoldOutcome;
    try {
      outcome = foldRunEvent(states.get(key), item.event, item.position, known);
    } catch (error) {
      // The schema should make this unreachable; if not, the event goes, not the partition.
      outcome = { kind: 'rejected', reason: `fold failed: ${errorText(error)}` };
    }
    if (outcome.kind === 'applied') {
      if (outcome.row) {
        states.set(key, outcome.row);
        plan.changed.set(key, outcome.row);
      }
      plan.logs.push(...outcome.logs);
      plan.samples.push(...outcome.samples);
      for (const execution of outcome.executions) {
        // A second report of the same execution later in this flush keeps the first created_at.
        if (!createdAt.has(executionKey(execution))) createdAt.set(executionKey(execution), execution.created_at);
        plan.executions.push(execution);
      }
    } else if (outcome.kind === 'rejected') {
      dead.push({ message: item.message, reason: outcome.reason });
    }
  }
  return plan;
}
