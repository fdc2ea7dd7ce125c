import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ChDateTime,
  ClickHouseStore,
  executionKey,
  insertModelExecutions,
  insertRunDaily,
  insertRunEvents,
  insertRunLogEntries,
  insertRuns,
  insertRunTelemetrySamples,
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
  toRunDailyRow,
} from '@runstream/clickhouse';
import { AnyRunEvent, decodeEvent } from '@runstream/events';
import { EventPublisher, IncomingMessage } from '@runstream/kafka';
import { foldRunEvent, LogPosition } from '../fold/run-fold';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { DEAD_LETTER_PUBLISHER, DeadLetter, deadLetterMessage } from './dead-letters';

interface Positioned {
  event: AnyRunEvent;
  position: LogPosition;
  message: IncomingMessage;
}

export interface MaterializeStats {
  events: number;
  runsWritten: number;
  logEntries: number;
  samples: number;
  executions: number;
  deadLetters: number;
}

function runKey(key: RunKey): string {
  return `${key.org_id}\u0000${key.project_id}\u0000${key.id}`;
}

function eventRow({ event, position }: Positioned): RunEventRow {
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

function reportedExecutionKeys(decoded: Positioned[]): ModelExecutionKey[] {
  return decoded.flatMap(({ event }) =>
    event.type === 'model_executions.reported'
      ? event.payload.executions.map((e) => ({ org_id: event.org_id, project_id: event.project_id, model_name: e.model_name, id: e.id }))
      : [],
  );
}

/**
 * Folds one flush of runs.events.v1 into ClickHouse. Writes are ordered so that a crash
 * anywhere leaves a state the replay repairs: audit rows, log lines, samples, executions and
 * dead letters first (deterministic rows that collapse when written twice, or tolerated
 * twice), the `runs` rows last, because their offsets tell a replay which events are
 * already folded in.
 */
@Injectable()
export class MaterializerService {
  private readonly logger = new Logger('Materializer');
  readonly totals: MaterializeStats = { events: 0, runsWritten: 0, logEntries: 0, samples: 0, executions: 0, deadLetters: 0 };

  constructor(
    private readonly store: ClickHouseStore,
    @Inject(DEAD_LETTER_PUBLISHER) private readonly deadLetterPublisher: EventPublisher,
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
  ) {}

  async materialize(messages: IncomingMessage[]): Promise<MaterializeStats> {
    const dead: DeadLetter[] = [];
    const decoded: Positioned[] = [];
    for (const message of messages) {
      const result = decodeEvent(message.value);
      if (!result.ok) dead.push({ message, reason: result.reason });
      else if (message.key !== result.event.run_id) dead.push({ message, reason: `message key ${JSON.stringify(message.key)} is not the run id` });
      else decoded.push({ event: result.event, position: { partition: message.partition, offset: message.offset }, message });
    }

    const keys = new Map<string, RunKey>();
    for (const { event } of decoded) {
      const key = { org_id: event.org_id, project_id: event.project_id, id: event.run_id };
      keys.set(runKey(key), key);
    }
    const [stateRows, executionCreatedAt] = await Promise.all([
      selectRunsByKey(this.store, [...keys.values()]),
      selectExecutionCreatedAt(this.store, reportedExecutionKeys(decoded)),
    ]);
    const states = new Map(stateRows.map((row) => [runKey(row), row]));
    const known = (key: ModelExecutionKey): ChDateTime | undefined => executionCreatedAt.get(executionKey(key));
    const changed = new Map<string, RunRow>();
    const logs: RunLogEntryRow[] = [];
    const samples: RunTelemetrySampleRow[] = [];
    const executions: ModelExecutionRow[] = [];
    for (const item of decoded) {
      const key = runKey({ org_id: item.event.org_id, project_id: item.event.project_id, id: item.event.run_id });
      const outcome = foldRunEvent(states.get(key), item.event, item.position, known);
      if (outcome.kind === 'applied') {
        if (outcome.row) {
          states.set(key, outcome.row);
          changed.set(key, outcome.row);
        }
        logs.push(...outcome.logs);
        samples.push(...outcome.samples);
        for (const execution of outcome.executions) {
          // A second report of the same execution later in this flush keeps the first created_at.
          if (!executionCreatedAt.has(executionKey(execution))) executionCreatedAt.set(executionKey(execution), execution.created_at);
          executions.push(execution);
        }
      } else if (outcome.kind === 'rejected') {
        dead.push({ message: item.message, reason: outcome.reason });
      }
    }

    await Promise.all([
      insertRunEvents(this.store, decoded.map(eventRow)),
      insertRunLogEntries(this.store, logs),
      insertRunTelemetrySamples(this.store, samples),
      insertModelExecutions(this.store, executions),
      insertRunDaily(this.store, [...changed.values()].map(toRunDailyRow)),
    ]);
    if (dead.length > 0) {
      await this.deadLetterPublisher.publish(this.config.kafka.topics.deadLetters, dead.map(deadLetterMessage));
      for (const letter of dead) {
        this.logger.warn(`dead letter ${letter.message.topic}/${letter.message.partition}@${letter.message.offset}: ${letter.reason}`);
      }
    }
    await insertRuns(this.store, [...changed.values()]);

    const stats: MaterializeStats = {
      events: decoded.length,
      runsWritten: changed.size,
      logEntries: logs.length,
      samples: samples.length,
      executions: executions.length,
      deadLetters: dead.length,
    };
    for (const name of Object.keys(stats) as (keyof MaterializeStats)[]) this.totals[name] += stats[name];
    return stats;
  }
}
