import { Injectable, Logger } from '@nestjs/common';
import { ClickHouseStore, insertJobCommands, insertJobs, JobCommandRow, JobRow, ProjectKey, selectJobCommands, selectJobsByKey } from '@runstream/clickhouse';
import { AnyJobEvent, decodeJobEvent } from '@runstream/events';
import { IncomingMessage } from '@runstream/kafka';
import { withRetries } from '@runstream/runtime';
import { foldJobEvent, LogPosition, ProjectJobs } from './job-fold';

interface Positioned {
  event: AnyJobEvent;
  position: LogPosition;
}

/** Waits before each retry of a flush's decisions: about 8 s in all, well within the consumer's session. */
const DECISION_WRITE_RETRIES_MS = [100, 250, 500, 1_000, 2_000, 4_000];

function projectKey(key: ProjectKey): string {
  return `${key.org_id}\u0000${key.project_id}`;
}

/**
 * Folds one flush of jobs.events.v1 into `jobs` and `job_commands`. Job rows are written
 * before the decisions, because an HTTP handler answers as soon as it sees its decision and
 * must then read the job's new state (read-your-writes). A replayed flush skips commands
 * already decided and recognises rows that already hold an event (job-fold.ts).
 *
 * An event that fails decoding can only come from a foreign producer (the control app checks
 * every event before publishing): it is logged and skipped, so it never stalls the partition.
 */
@Injectable()
export class JobsFoldService {
  private readonly logger = new Logger('JobsFold');

  constructor(private readonly store: ClickHouseStore) {}

  async fold(messages: IncomingMessage[]): Promise<void> {
    const events = this.decode(messages);
    if (events.length === 0) return;
    const projects = new Map<string, ProjectKey>();
    for (const { event } of events) projects.set(projectKey(event), { org_id: event.org_id, project_id: event.project_id });
    const state = await this.load([...projects.values()]);
    const decided = await this.decided(events);
    const rows = new Map<string, JobRow>();
    const commands: JobCommandRow[] = [];
    const now = new Date();
    for (const { event, position } of events) {
      if (decided.has(`${projectKey(event)}\u0000${event.payload.request_id}`)) continue;
      const jobs = state.get(projectKey(event)) ?? new Map<string, JobRow>();
      state.set(projectKey(event), jobs);
      const result = foldJobEvent(jobs, event, position, now);
      if (result.row) {
        jobs.set(result.row.id, result.row);
        rows.set(`${projectKey(event)}\u0000${result.row.id}`, result.row);
      }
      commands.push(result.command);
    }
    await insertJobs(this.store, [...rows.values()]);
    await this.record(commands);
  }

  /**
   * The decisions are retried here, not by replaying the flush: a replay would decide again on
   * `jobs` rows that already hold this flush's later changes, and could answer 200 for a change
   * that was a conflict (docs/jobs.md, "Decisions"). Only a crash between the two inserts is left
   * to the replay.
   */
  private record(commands: JobCommandRow[]): Promise<void> {
    return withRetries(
      () => insertJobCommands(this.store, commands),
      DECISION_WRITE_RETRIES_MS,
      (error) => this.logger.warn(`writing ${commands.length} decisions failed, retrying: ${String(error)}`),
    );
  }

  private decode(messages: IncomingMessage[]): Positioned[] {
    const events: Positioned[] = [];
    for (const message of messages) {
      const decoded = decodeJobEvent(message.value);
      if (decoded.ok) events.push({ event: decoded.event, position: { partition: message.partition, offset: message.offset } });
      else this.logger.warn(`skipping ${message.topic}[${message.partition}]@${message.offset}: ${decoded.reason}`);
    }
    return events;
  }

  private async load(projects: ProjectKey[]): Promise<Map<string, ProjectJobs>> {
    const state = new Map<string, ProjectJobs>();
    for (const row of await selectJobsByKey(this.store, projects)) {
      const jobs = state.get(projectKey(row)) ?? new Map<string, JobRow>();
      jobs.set(row.id, row);
      state.set(projectKey(row), jobs);
    }
    return state;
  }

  private async decided(events: Positioned[]): Promise<Set<string>> {
    const keys = events.map(({ event }) => ({ org_id: event.org_id, project_id: event.project_id, request_id: event.payload.request_id }));
    const rows = await selectJobCommands(this.store, keys);
    return new Set(rows.map((row) => `${projectKey(row)}\u0000${row.request_id}`));
  }
}
