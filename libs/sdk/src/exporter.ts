import { Change, ChangesPage } from './models';
import { Transport } from './transport';
import { abortableSleep } from './abortable-sleep';

export interface ExportOptions {
  /** One project's feed; without it, the organisation's. */
  projectId?: string;
  /** Where to resume: a `cursor` you stored from an earlier page; none starts at the beginning. */
  cursor?: string;
  /** Changes per request, 1–1000 (default 500). */
  limit?: number;
  /** Keep following once caught up (default false: the iterator ends when nothing more is waiting). */
  follow?: boolean;
  /** While following, the wait between requests once caught up (default 2000 ms). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

/** One page of changes and the cursor to store once you have applied them. */
export interface ExportPage {
  changes: Change[];
  cursor: string;
}

/**
 * Follows the change feed from `cursor`: every change exactly once, in order. Store `cursor`
 * after applying a page's changes; pass it back to resume after a restart. A cursor the server
 * cannot honour any more throws GoneError: start again without one, applying changes as upserts.
 * With `follow`, 429, 503 and network failures are retried until `signal` aborts; without it,
 * the transport's maxAttempts times. An abort ends the iterator without an error.
 */
export async function* exportChanges(transport: Transport, options: ExportOptions = {}): AsyncGenerator<ExportPage> {
  let cursor = options.cursor;
  const limit = options.limit ?? 500;
  for (;;) {
    if (options.signal?.aborted) return;
    const query = { limit, ...(cursor ? { cursor } : {}) };
    let page: ChangesPage;
    try {
      // Following: 429, 503 and network failures are waited out for as long as it takes (a restart).
      page = await transport.call<ChangesPage>(
        () =>
          options.projectId === undefined
            ? transport.read.GET('/api/v1/changes', { params: { query }, signal: options.signal })
            : transport.read.GET('/api/v1/projects/{id}/changes', { params: { path: { id: options.projectId }, query }, signal: options.signal }),
        { signal: options.signal, untilAborted: options.follow === true },
      );
    } catch (error) {
      // Stopped by its signal: the iterator ends, as it does between two polls.
      if (options.signal?.aborted) return;
      throw error;
    }
    cursor = page.next_cursor;
    if (page.changes.length > 0) yield { changes: page.changes, cursor };
    if (!page.has_more) {
      if (!options.follow) return;
      await abortableSleep(options.pollIntervalMs ?? 2000, options.signal);
    }
  }
}
