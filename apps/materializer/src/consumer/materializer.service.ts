import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ChDateTime,
  ClickHouseStore,
  executionKey,
  insertFeedWatermarks,
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
  watermarksOf,
} from '@runstream/clickhouse';
import { AnyRunEvent, decodeEvent } from '@runstream/events';
import { EventPublisher, IncomingMessage } from '@runstream/kafka';
import { FoldOutcome, foldRunEvent, LogPosition } from '../fold/run-fold';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { isDataRefusal, refusalReason } from './clickhouse-errors';
import { DEAD_LETTER_PUBLISHER, DeadLetter, deadLetterMessage } from './dead-letters';
import { writeSplittingOnRefusal } from './split-on-refusal';

interface Positioned {
  event: AnyRunEvent;
  position: LogPosition;
  message: IncomingMessage;
  row: RunEventRow;
}

export interface MaterializeStats {
  events: number;
  runsWritten: number;
  logEntries: number;
  samples: number;
  executions: number;
  deadLetters: number;
}

function emptyStats(): MaterializeStats {
  return { events: 0, runsWritten: 0, logEntries: 0, samples: 0, executions: 0, deadLetters: 0 };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Waits for every insert, unlike Promise.all, so no write of a failed attempt is still running
 * when the split or the retry starts. A refusal on data is reported only when nothing else
 * failed: any other error means the attempt must be retried whole.
 */
async function allWritten(writes: Promise<void>[]): Promise<void> {
  const failures = (await Promise.allSettled(writes)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((error) => !isDataRefusal(error)) ?? failures[0];
}

function runKey(key: RunKey): string {
  return `${key.org_id}\u0000${key.project_id}\u0000${key.id}`;
}

function eventRow(event: AnyRunEvent, position: LogPosition): RunEventRow {
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
 *
 * One event never stops the flow: an event that fails decoding, the schema or the fold is
 * dead-lettered with its reason; when ClickHouse refuses a write on its data, the flush is split
 * into contiguous halves written one after the other (so each partition keeps its order and
 * each half reads the run states the previous one wrote) until the refused event stands alone,
 * and that event is dead-lettered with the server's error. Any other error propagates: the
 * consumer retries the whole flush, whose written parts a replay recognises and skips.
 */
@Injectable()
export class MaterializerService {
  private readonly logger = new Logger('Materializer');
  readonly totals: MaterializeStats = emptyStats();

  constructor(
    private readonly store: ClickHouseStore,
    @Inject(DEAD_LETTER_PUBLISHER) private readonly deadLetterPublisher: EventPublisher,
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
  ) {}

  async materialize(messages: IncomingMessage[]): Promise<MaterializeStats> {
    const stats = emptyStats();
    await this.materializeSplitting(messages, stats);
    for (const name of Object.keys(stats) as (keyof MaterializeStats)[]) this.totals[name] += stats[name];
    return stats;
  }

  private async materializeSplitting(messages: IncomingMessage[], stats: MaterializeStats): Promise<void> {
    await writeSplittingOnRefusal(
      messages,
      async (range) => {
        const written = await this.materializeRange(range);
        for (const name of Object.keys(stats) as (keyof MaterializeStats)[]) stats[name] += written[name];
      },
      async (message, error) => {
        await this.publishDeadLetters([{ message, reason: refusalReason(error) }]);
        stats.deadLetters += 1;
      },
      isDataRefusal,
      (size, error) => this.logger.warn(`ClickHouse refused data in ${size} messages; splitting to find the event: ${errorText(error)}`),
    );
  }

  private decode(messages: IncomingMessage[], dead: DeadLetter[]): Positioned[] {
    const decoded: Positioned[] = [];
    for (const message of messages) {
      try {
        const result = decodeEvent(message.value);
        if (!result.ok) dead.push({ message, reason: result.reason });
        else if (message.key !== result.event.run_id) dead.push({ message, reason: `message key ${JSON.stringify(message.key)} is not the run id` });
        else {
          const position = { partition: message.partition, offset: message.offset };
          decoded.push({ event: result.event, position, message, row: eventRow(result.event, position) });
        }
      } catch (error) {
        dead.push({ message, reason: `undecodable event: ${errorText(error)}` });
      }
    }
    return decoded;
  }

  /** One contiguous range of a flush: read the states it needs, fold, write. */
  private async materializeRange(messages: IncomingMessage[]): Promise<MaterializeStats> {
    const dead: DeadLetter[] = [];
    const decoded = this.decode(messages, dead);

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

    await allWritten([
      insertRunEvents(
        this.store,
        decoded.map((item) => item.row),
      ),
      insertRunLogEntries(this.store, logs),
      insertRunTelemetrySamples(this.store, samples),
      insertModelExecutions(this.store, executions),
      insertRunDaily(this.store, [...changed.values()].map(toRunDailyRow)),
    ]);
    await this.publishDeadLetters(dead);
    await insertRuns(this.store, [...changed.values()]);
    // Last: the change feed reads only below it, so nothing it has passed appears later.
    await insertFeedWatermarks(this.store, watermarksOf(messages));

    return {
      events: decoded.length,
      runsWritten: changed.size,
      logEntries: logs.length,
      samples: samples.length,
      executions: executions.length,
      deadLetters: dead.length,
    };
  }

  private async publishDeadLetters(dead: DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    await this.deadLetterPublisher.publish(this.config.kafka.topics.deadLetters, dead.map(deadLetterMessage));
    for (const letter of dead) {
      this.logger.warn(`dead letter ${letter.message.topic}/${letter.message.partition}@${letter.message.offset}: ${letter.reason}`);
    }
  }
}
