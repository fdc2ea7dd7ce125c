import { GoneException, Injectable } from '@nestjs/common';
import { LogSlice } from '@runstream/clickhouse';
import { Caller } from '@runstream/http';
import { Change, ChangeBody, compareChanges, executionChange, runChange, sameEvent } from './change';
import { cursorGone, FeedCursor, FeedPosition, fingerprintMatches, fingerprintOf, formatFeedCursor, parseFeedCursor } from './change-cursor';
import { ChangesRepository } from './changes.repository';
import { ChangesQueryDto } from './dto/changes.query.dto';

export interface ChangesPage {
  changes: ChangeBody[];
  next_cursor: string;
  /** True: more changes are waiting now; false: caught up (poll again later with next_cursor). */
  has_more: boolean;
}

/** The rest of one event's changes is read in one go; an event reports at most this many executions. */
const EVENT_CHANGES_CAP = 100_000;

/**
 * The change feed (docs/change-feed.md): runs and model executions in log order, read only
 * below the materializer's watermarks, so a change is never published behind a cursor.
 */
@Injectable()
export class ChangesService {
  constructor(private readonly repository: ChangesRepository) {}

  async page(caller: Caller, projectId: string | undefined, query: ChangesQueryDto): Promise<ChangesPage> {
    const scope = projectId === undefined ? 'org' : `project:${projectId}`;
    const cursor = parseFeedCursor(query.cursor, scope);
    const watermarks = await this.repository.watermarks();
    try {
      await this.verify(caller.orgId, cursor, watermarks);
    } catch (error) {
      // A rebuild that began after the watermarks were read empties the events the cursor names too: not a replaced log.
      if (error instanceof GoneException && watermarksFell(watermarks, await this.repository.watermarks())) return unchanged(cursor);
      throw error;
    }
    const partitions = Math.max(cursor.positions.length, ...[...watermarks.keys()].map((p) => p + 1));
    const from = Array.from({ length: partitions }, (_, p) => cursor.positions[p]?.offset ?? 0n);
    const to = Array.from({ length: partitions }, (_, p) => watermarks.get(p) ?? 0n);
    const scopeFilter = { org_id: caller.orgId, project_id: projectId };

    const found = await this.read({ ...scopeFilter, from, to, limit: query.limit + 1 });
    let page = found.slice(0, query.limit);
    const hasMore = found.length > query.limit;
    if (hasMore && sameEvent(found[query.limit], page[page.length - 1])) {
      // Never split an event: a cursor is a position between events.
      const last = page[page.length - 1];
      const only = (offset: bigint) => from.map((_, p) => (p === last.partition ? offset : 0n));
      const rest = await this.read({ ...scopeFilter, from: only(last.offset), to: only(last.offset + 1n), limit: EVENT_CHANGES_CAP });
      page = [...page, ...rest.filter((change) => compareChanges(change, last) > 0)];
    }
    // A rebuild that began after the watermarks were read empties them first, and the rows read may then be half replayed:
    // deliver nothing, and the same cursor reads the rebuilt tables later.
    if (watermarksFell(watermarks, await this.repository.watermarks())) return unchanged(cursor);
    return { changes: page.map((change) => change.body), next_cursor: formatFeedCursor(await this.advance(caller.orgId, cursor, page)), has_more: hasMore };
  }

  private async read(slice: LogSlice): Promise<Change[]> {
    // None of the scope's events lie between the cursor and the watermarks (a caught-up follower's poll plans that without a query).
    const plan = await this.repository.plan(slice);
    if (plan.kind === 'none') return [];
    const [runs, executions] = await Promise.all([this.repository.runs(slice, plan), this.repository.executions(slice, plan)]);
    return [...runs.map(runChange), ...executions.map(executionChange)].sort(compareChanges).slice(0, slice.limit);
  }

  /** A position the read model has reached must name the event this log holds there, or the log was replaced. */
  private async verify(orgId: string, cursor: FeedCursor, watermarks: Map<number, bigint>): Promise<void> {
    const reached = cursor.positions
      .map((position, partition) => ({ partition, ...position }))
      .filter((p) => p.offset > 0n && (watermarks.get(p.partition) ?? 0n) >= p.offset);
    if (reached.length === 0) return;
    const ids = await this.repository.eventIds(
      orgId,
      reached.map((p) => ({ partition: p.partition, offset: p.offset - 1n })),
    );
    for (const p of reached) {
      const id = ids.get(`${p.partition}@${p.offset - 1n}`);
      if (id === undefined || !fingerprintMatches(p.eventId, id)) {
        throw cursorGone(`the event log no longer holds the event this cursor follows (partition ${p.partition}, offset ${p.offset - 1n})`);
      }
    }
  }

  /** The cursor after this page: each partition moves past the last event delivered from it. */
  private async advance(orgId: string, cursor: FeedCursor, page: Change[]): Promise<FeedCursor> {
    const last = new Map<number, bigint>();
    for (const change of page) last.set(change.partition, change.offset);
    const positions: FeedPosition[] = [...cursor.positions];
    if (last.size > 0) {
      const ids = await this.repository.eventIds(
        orgId,
        [...last].map(([partition, offset]) => ({ partition, offset })),
      );
      for (const [partition, offset] of last) {
        while (positions.length <= partition) positions.push({ offset: 0n, eventId: '' });
        const id = fingerprintOf(ids.get(`${partition}@${offset}`) ?? '');
        positions[partition] = { offset: offset + 1n, eventId: id };
      }
    }
    return { scope: cursor.scope, positions };
  }
}

/** An empty page that leaves the follower where it was: the same cursor reads the rebuilt tables later. */
function unchanged(cursor: FeedCursor): ChangesPage {
  return { changes: [], next_cursor: formatFeedCursor(cursor), has_more: false };
}

/** Whether any partition's watermark is lower now than it was (only a rebuild lowers them). */
function watermarksFell(before: ReadonlyMap<number, bigint>, now: ReadonlyMap<number, bigint>): boolean {
  return [...before].some(([partition, offset]) => (now.get(partition) ?? 0n) < offset);
}
