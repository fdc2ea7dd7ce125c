import { GoneException } from '@nestjs/common';
import { badRequest } from '@runstream/http';

/**
 * A change-feed cursor: per partition of runs.events.v1 (index = partition), the next log offset
 * to read and a fingerprint of the id of the event just before it (empty at offset 0): its last
 * 8 hex digits, the random part of a UUIDv7. The event id lets a server tell a cursor into this
 * log from one into a log since replaced (topic recreated, another cluster): those are answered
 * 410. Format 1 took the first 8 digits, which only tell the minute the event was written in;
 * its positions are still read (as `h` + those digits) until the follower moves past them.
 */
export interface FeedPosition {
  offset: bigint;
  /** The last 8 hex digits of the event id, or `h` + its first 8 (a format 1 cursor's); '' at offset 0. */
  eventId: string;
}

/** Whether `eventId` (its hex digits, no dashes) is the event a position's fingerprint names. */
export function fingerprintMatches(fingerprint: string, eventId: string): boolean {
  const hex = eventId.replaceAll('-', '');
  return fingerprint.startsWith('h') ? hex.startsWith(fingerprint.slice(1)) : hex.endsWith(fingerprint);
}

/** The fingerprint a new position keeps of the event before it. */
export function fingerprintOf(eventId: string): string {
  return eventId.replaceAll('-', '').slice(-FINGERPRINT_DIGITS);
}

const FINGERPRINT_DIGITS = 8;

export interface FeedCursor {
  scope: string;
  positions: FeedPosition[];
}

const VERSION = '2';
const SHAPE = /^(\d+)\|([^|]*)\|((?:\d{1,20}:h?[0-9a-f]{0,8})(?:,\d{1,20}:h?[0-9a-f]{0,8})*)?$/;
export const MAX_PARTITIONS = 1024;
const MAX_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

export function formatFeedCursor(cursor: FeedCursor): string {
  const positions = cursor.positions.map((p) => `${p.offset}:${p.eventId}`).join(',');
  return Buffer.from(`${VERSION}|${cursor.scope}|${positions}`, 'utf8').toString('base64url');
}

/** The cursor a client sent; none: the beginning of the log. */
export function parseFeedCursor(text: string | undefined, scope: string): FeedCursor {
  if (text === undefined || text === '') return { scope, positions: [] };
  const decoded = /^[A-Za-z0-9_-]{1,32768}$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '';
  const match = SHAPE.exec(decoded);
  if (!match) throw badRequest('cursor', 'is not a cursor this API issued; pass next_cursor from a previous page, or omit it to start from the beginning');
  const [, version, cursorScope, list] = match;
  if (version !== VERSION && version !== '1') throw cursorGone(`cursor format ${version} is no longer read by this server`);
  if (cursorScope !== scope) throw badRequest('cursor', `was issued for another feed (${cursorScope}), not ${scope}`);
  const positions = (list ? list.split(',') : []).map((entry) => {
    const [offset, eventId] = entry.split(':');
    // Format 1 kept the first digits: read as such.
    return { offset: BigInt(offset), eventId: version === '1' && eventId !== '' && !eventId.startsWith('h') ? `h${eventId}` : eventId };
  });
  if (positions.length > MAX_PARTITIONS) throw badRequest('cursor', `names more than ${MAX_PARTITIONS} partitions`);
  // Log offsets stay far below 2^53; a larger one was not issued by this API.
  if (positions.some((p) => p.offset > MAX_OFFSET)) throw badRequest('cursor', 'is not a cursor this API issued (offset out of range)');
  return { scope, positions };
}

/** 410: the cursor cannot be honoured; the client restarts from the beginning (changes are upserts by id). */
export function cursorGone(why: string): GoneException {
  return new GoneException({
    statusCode: 410,
    error: 'Gone',
    code: 'CURSOR_EXPIRED',
    message: `${why}. Restart the feed without a cursor and apply changes as upserts by id (see docs/change-feed.md#410-gone)`,
  });
}
