import { Injectable, Logger } from '@nestjs/common';
import { ClickHouseStore, insertJobCommands, insertJobs, JobCommandRow, JobRow, ProjectKey, selectJobCommands, selectJobsByKey } from '@runstream/clickhouse';
import { AnyJobEvent, decodeJobEvent } from '@runstream/events';
import { DeadLetter, IncomingMessage } from '@runstream/kafka';
import { foldJobEvent, LogPosition, ProjectJobs } from './job-fold';
import { JobsDeadLetters } from './jobs-dead-letters';

interface Positioned {
  event: AnyJobEvent;
  position: LogPosition;
}

function projectKey(key: ProjectKey): string {
  return `${key.org_id}\u0000${key.project_id}`;
}

function commandKey(key: ProjectKey & { request_id: string }): string {
  return `${projectKey(key)}\u0000${key.request_id}`;
}

/** The offset of the project's newest job row: the state a decision was made on (null: none). */
function newestOffset(jobs: ProjectJobs): string | null {
  let newest: bigint | undefined;
  for (const row of jobs.values()) if (newest === undefined || BigInt(row.kafka_offset) > newest) newest = BigInt(row.kafka_offset);
  return newest === undefined ? null : String(newest);
}

/**
 * Folds one flush of jobs.events.v1 into `job_commands` and `jobs`, in that order, and the
 * consumer commits the offsets after both writes. A replayed flush (a failed write, a crash
 * between the two) finds the decisions it made and keeps them: it folds again on the job rows
 * as they were before the flush, or already holding it (job-fold.ts recognises those), and
 * writes the rows its applied decisions make. So a command decided `conflict` stays one, where
 * deciding again on rows holding the flush's later changes could apply it (a rename that never
 * happened). Every decision carries the project state it was made on (state_offset), and its
 * handler waits for the project's rows to reach it before it answers (read-your-writes, for a
 * 409 naming a job created in the same flush too; JobCommandsService).
 *
 * An event that fails decoding can only come from a foreign producer (the control app checks
 * every event before publishing): it goes to the jobs dead-letter topic with its reason, before
 * the writes, and fold() resolves only once the broker has it, so the consumer never commits past
 * a message that ended nowhere, and never stalls the partition on one (a failed publish retries
 * the flush like a failed write).
 */
@Injectable()
export class JobsFoldService {
  private readonly logger = new Logger('JobsFold');

  constructor(
    private readonly store: ClickHouseStore,
    private readonly deadLetters: JobsDeadLetters,
  ) {}

  async fold(messages: IncomingMessage[]): Promise<void> {
    const { events, dead } = this.decode(messages);
    await this.deadLetters.send(dead);
    if (events.length === 0) return;
    const projects = new Map<string, ProjectKey>();
    for (const { event } of events) projects.set(projectKey(event), { org_id: event.org_id, project_id: event.project_id });
    const state = await this.load([...projects.values()]);
    const recorded = await this.recorded(events);
    const rows = new Map<string, JobRow>();
    const commands: JobCommandRow[] = [];
    const now = new Date();
    for (const { event, position } of events) {
      const earlier = recorded.get(commandKey({ ...event, request_id: event.payload.request_id }));
      // A decision that changed nothing stays so; the state it was made on is the one folded here.
      if (earlier && earlier.outcome !== 'applied') continue;
      const jobs = state.get(projectKey(event)) ?? new Map<string, JobRow>();
      state.set(projectKey(event), jobs);
      const result = foldJobEvent(jobs, event, position, now);
      if (earlier && result.command.outcome !== 'applied') {
        this.logger.error(`request ${event.payload.request_id} was applied, and folds as ${result.command.outcome} on replay; keeping the decision`);
        continue;
      }
      if (result.row) {
        jobs.set(result.row.id, result.row);
        rows.set(`${projectKey(event)}\u0000${result.row.id}`, result.row);
      }
      if (!earlier) commands.push({ ...result.command, state_offset: newestOffset(jobs) });
    }
    if (commands.length > 0) await insertJobCommands(this.store, commands);
    if (rows.size > 0) await insertJobs(this.store, [...rows.values()]);
  }

  private decode(messages: IncomingMessage[]): { events: Positioned[]; dead: DeadLetter[] } {
    const events: Positioned[] = [];
    const dead: DeadLetter[] = [];
    for (const message of messages) {
      const decoded = decodeJobEvent(message.value);
      if (decoded.ok) events.push({ event: decoded.event, position: { partition: message.partition, offset: message.offset } });
      else dead.push({ message, reason: decoded.reason });
    }
    return { events, dead };
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

  /** Decisions a replayed flush already wrote, by command. */
  private async recorded(events: Positioned[]): Promise<Map<string, JobCommandRow>> {
    const keys = events.map(({ event }) => ({ org_id: event.org_id, project_id: event.project_id, request_id: event.payload.request_id }));
    const rows = await selectJobCommands(this.store, keys);
    return new Map(rows.map((row) => [commandKey(row), row]));
  }
}
