/**
 * ClickHouse errors that mean "this data cannot be stored", as opposed to "the server cannot
 * store anything right now". Only these make the materializer split a flush and dead-letter the
 * event it isolates. Everything else (network errors, timeouts, TOO_MANY_PARTS,
 * MEMORY_LIMIT_EXCEEDED, a missing table or a refused login, errors of our own code) is retried
 * and, past the retry budget, ends the process: an error not known to be the event's fault must
 * never send good events to the dead-letter topic.
 */
const DATA_ERROR_TYPES: ReadonlySet<string> = new Set([
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_UUID',
  'CANNOT_PARSE_BOOL',
  'CANNOT_READ_ARRAY_FROM_TEXT',
  'CANNOT_READ_MAP_FROM_TEXT',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'INCORRECT_DATA',
  'TOO_LARGE_STRING_SIZE',
  'TOO_LARGE_ARRAY_SIZE',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'DECIMAL_OVERFLOW',
  'VIOLATED_CONSTRAINT',
]);

export interface ClickHouseErrorInfo {
  code: string;
  type: string;
  message: string;
}

/**
 * The code and type of a ClickHouse server error. Duck-typed: chDB's connection throws the
 * ClickHouseError of its own copy of @clickhouse/client-common, so instanceof does not hold.
 */
export function clickHouseError(error: unknown): ClickHouseErrorInfo | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, type } = error as Error & { code?: unknown; type?: unknown };
  if (error.name !== 'ClickHouseError' && error.constructor.name !== 'ClickHouseError') return undefined;
  if (typeof code !== 'string' || typeof type !== 'string') return undefined;
  return { code, type, message: error.message };
}

/** True when the server refused the data itself: splitting the flush will find the event. */
export function isDataRefusal(error: unknown): boolean {
  const info = clickHouseError(error);
  return info !== undefined && DATA_ERROR_TYPES.has(info.type);
}

/** The dead-letter reason for an event the server refused: type, code and message, bounded. */
export function refusalReason(error: unknown): string {
  const info = clickHouseError(error);
  const text = info ? `${info.type} (${info.code}): ${info.message}` : String(error);
  return `ClickHouse refused the event: ${text.replace(/\s+/g, ' ').trim().slice(0, 1000)}`;
}
