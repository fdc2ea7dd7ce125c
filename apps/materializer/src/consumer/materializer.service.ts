import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ClickHouseStore,
  insertFeedWatermarks,
  insertModelExecutions,
  insertRunDaily,
  insertRunEvents,
  insertRunLogEntries,
  insertRuns,
  insertRunTelemetrySamples,
  toRunDailyRow,
  watermarksOf,
} from '@runstream/clickhouse';
import { DeadLetter, EventPublisher, IncomingMessage, publishDeadLetters } from '@runstream/kafka';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { isDataRefusal, refusalReason } from './clickhouse-errors';
import { DEAD_LETTER_PUBLISHER } from './dead-letter-publisher';
import { errorText, FlushPlan, planFlush } from './flush-plan';
import { writeSplittingOnRefusal } from './split-on-refusal';

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

/**
 * Waits for every insert, unlike Promise.all, so no write of a failed attempt is still running
 * when the split or the retry starts. A refusal on data is reported only when nothing else
 * failed: any other error means the attempt must be retried whole.
 */
async function allWritten(writes: Promise<void>[]): Promise<void> {
  const failures = (await Promise.allSettled(writes)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((error) => !isDataRefusal(error)) ?? failures[0];
}

/**
 * Folds one flush of runs.events.v1 into ClickHouse. Writes are ordered so that a crash
 * anywhere leaves a state the replay repairs: audit rows, log lines, samples and executions
 * first (deterministic rows that collapse when written twice), then `run_daily` and the dead
 * letters (once those rows are in, so a refused range leaves nothing in daily stats), then the
 * `runs` rows, whose offsets tell a replay which events are already folded in, and last the
 * change feed's watermarks, which the feed reads below.
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
    addStats(this.totals, stats);
    return stats;
  }

  private async materializeSplitting(messages: IncomingMessage[], stats: MaterializeStats): Promise<void> {
    await writeSplittingOnRefusal(
      messages,
      async (range) => addStats(stats, await this.write(await planFlush(this.store, range))),
      async (message, error) => {
        await this.publishDeadLetters([{ message, reason: refusalReason(error) }]);
        stats.deadLetters += 1;
      },
      isDataRefusal,
      (size, error) => this.logger.warn(`ClickHouse refused data in ${size} messages; splitting to find the event: ${errorText(error)}`),
    );
  }

  /** One contiguous range of a flush, planned: its writes, in the order a replay relies on. */
  private async write(plan: FlushPlan): Promise<MaterializeStats> {
    const changed = [...plan.changed.values()];
    await allWritten([
      insertRunEvents(this.store, plan.events),
      insertRunLogEntries(this.store, plan.logs),
      insertRunTelemetrySamples(this.store, plan.samples),
      insertModelExecutions(this.store, plan.executions),
    ]);
    // The runs' new states only once the range's other rows are in: a range ClickHouse refused
    // (split to find the event, dead-lettered) leaves no status or duration of it in daily stats.
    await insertRunDaily(this.store, changed.map(toRunDailyRow));
    await this.publishDeadLetters(plan.dead);
    await insertRuns(this.store, changed);
    // Last: the change feed reads only below it, so nothing it has passed appears later.
    await insertFeedWatermarks(this.store, watermarksOf(plan.messages));
    return {
      events: plan.events.length,
      runsWritten: changed.length,
      logEntries: plan.logs.length,
      samples: plan.samples.length,
      executions: plan.executions.length,
      deadLetters: plan.dead.length,
    };
  }

  private async publishDeadLetters(dead: DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    await publishDeadLetters(this.deadLetterPublisher, this.config.kafka.topics.deadLetters, dead);
    for (const letter of dead) {
      this.logger.warn(`dead letter ${letter.message.topic}/${letter.message.partition}@${letter.message.offset}: ${letter.reason}`);
    }
  }
}

function addStats(into: MaterializeStats, from: MaterializeStats): void {
  for (const name of Object.keys(into) as (keyof MaterializeStats)[]) into[name] += from[name];
}
