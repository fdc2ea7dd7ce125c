import { ChDateTime } from '../time';

/** What the page needs of a row version of `model_executions`. */
export interface ExecutionVersion {
  model_name: string;
  id: string;
  created_at: ChDateTime;
  started_at: ChDateTime;
  /** UInt64 as JSON gives it: decimal digits, no leading zeros. */
  version: string;
}

/** Newest reported first, then newest started, then id, then model: the page order with or without FINAL. */
export function newestExecutionFirst(a: ExecutionVersion, b: ExecutionVersion): number {
  return (
    descending(a.created_at, b.created_at) ||
    descending(a.started_at, b.started_at) ||
    descendingBytes(a.id, b.id) ||
    descendingBytes(a.model_name, b.model_name)
  );
}

/** For timestamps, which are ASCII. */
function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** As ClickHouse compares String: by UTF-8 bytes, which UTF-16 order differs from past U+FFFF. */
function descendingBytes(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(b), Buffer.from(a));
}

function newerVersion(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/** What a read of row versions by created_at, newest first, returned. */
export type ExecutionRead =
  /** All it asked for: it may have stopped inside one created_at. */
  | 'cut'
  /** Fewer, within a window: every version from the window's start on, and older ones may exist. */
  | 'window'
  /** Fewer, without a window: every version the filter has. */
  | 'all';

/**
 * One page of executions, each at its latest version, from row versions read without FINAL,
 * newest created_at first. Every version of an execution carries the created_at of its first
 * report (the materializer keeps it), so all of them sit in the same run of equal created_at;
 * only the last such run can have been cut by the read's limit, so after a `cut` read it is set
 * aside and the rest is exact. Undefined when what is left holds fewer executions than the page
 * ends at and more may exist: the caller reads more.
 */
export function latestExecutionsPage<T extends ExecutionVersion>(
  scanned: readonly T[],
  read: ExecutionRead,
  page: { offset: number; limit: number },
): T[] | undefined {
  let complete = scanned.length;
  if (read === 'cut') {
    const cut = scanned[scanned.length - 1]?.created_at;
    while (complete > 0 && scanned[complete - 1].created_at === cut) complete -= 1;
  }
  const latest = new Map<string, T>();
  for (let i = 0; i < complete; i += 1) {
    const row = scanned[i];
    const key = `${row.model_name}\u0000${row.id}`;
    const seen = latest.get(key);
    if (seen === undefined || newerVersion(row.version, seen.version)) latest.set(key, row);
  }
  if (read !== 'all' && latest.size < page.offset + page.limit) return undefined;
  return [...latest.values()].sort(newestExecutionFirst).slice(page.offset, page.offset + page.limit);
}
