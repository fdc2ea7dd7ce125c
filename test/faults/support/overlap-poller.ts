import { setTimeout as sleep } from 'node:timers/promises';
import { entityKey, EntityState } from './feed-follower';

export interface OverlapPollerOptions {
  queryUrl: string;
  token: string;
  projectId: string;
  /** Between two polls (the reference suggests minutes; tests poll far more often). */
  intervalMs: number;
  /** How far before the last poll each poll starts: the reference's 60 s. */
  overlapMs: number;
}

/** Python's datetime.isoformat() of an aware UTC datetime: microseconds and +00:00 (client recipe 1). */
const pythonIso = (ms: number): string => new Date(ms).toISOString().replace('Z', '000+00:00');

const LISTS = [
  ['run', 'runs', (projectId: string) => `/api/v1/projects/${projectId}/runs?include_stats=false&limit=500`],
  ['model_execution', 'executions', (projectId: string) => `/api/v1/projects/${projectId}/model-executions?limit=500`],
] as const;

/**
 * Every page of the project's runs and model executions updated after `afterMs` (0: all of
 * them), as the read API lists them: [type, rows] per list.
 */
export async function listUpdatedAfter(queryUrl: string, token: string, projectId: string, afterMs: number): Promise<[string, EntityState[]][]> {
  const lists: [string, EntityState[]][] = [];
  for (const [type, field, path] of LISTS) {
    const rows: EntityState[] = [];
    for (let page = 1, totalPages = 1; page <= totalPages; page += 1) {
      const url = `${queryUrl}${path(projectId)}&updated_after=${encodeURIComponent(pythonIso(afterMs))}&page=${page}`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const body = (await response.json()) as Record<string, unknown> & { total_pages: number };
      rows.push(...(body[field] as EntityState[]));
      totalPages = body.total_pages;
    }
    lists.push([type, rows]);
  }
  return lists;
}

/**
 * The reference's polling client (client recipe 1): every poll lists runs and model executions
 * with `updated_after` = the previous poll's start minus the overlap, keeps the first row per id
 * of a poll, and discards the states it already has. A poll that fails (the server is down) is
 * simply repeated from the same point, as the recipe's loop would.
 */
export class OverlapPoller {
  /** Records the polls returned (after the per-poll dedupe by id). */
  received = 0;
  /** Of those, states already received by an earlier poll: the overlap's cost. */
  discarded = 0;
  failedPolls = 0;
  readonly latest = new Map<string, EntityState>();
  private readonly seen = new Set<string>();
  private stopping = false;
  private abandoned = false;

  constructor(private readonly options: OverlapPollerOptions) {}

  /** Polls until stop() (then once more) or abandon(). */
  async run(): Promise<void> {
    let lastPoll: number | undefined;
    while (!this.abandoned) {
      const last = this.stopping;
      const startedAt = Date.now();
      try {
        await this.poll(lastPoll === undefined ? 0 : lastPoll - this.options.overlapMs);
        lastPoll = startedAt;
        if (last) return;
      } catch {
        this.failedPolls += 1;
      }
      await sleep(this.options.intervalMs);
    }
  }

  /** Ends run() after one more complete pass begun from now. */
  stop(): void {
    this.stopping = true;
  }

  /** Ends run() at once (a failed test's cleanup, with the server maybe gone). */
  abandon(): void {
    this.abandoned = true;
  }

  private async poll(after: number): Promise<void> {
    // Both lists first, then applied: a poll that fails half-way is repeated whole.
    const polled = await listUpdatedAfter(this.options.queryUrl, this.options.token, this.options.projectId, after);
    for (const [kind, rows] of polled) {
      const firstById = new Map<string, EntityState>();
      for (const row of rows) if (!firstById.has(row.id)) firstById.set(row.id, row);
      for (const row of firstById.values()) {
        const state = `${entityKey(kind, row.id)}/${JSON.stringify(row)}`;
        this.received += 1;
        if (this.seen.has(state)) this.discarded += 1;
        this.seen.add(state);
        this.latest.set(entityKey(kind, row.id), row);
      }
    }
  }
}
