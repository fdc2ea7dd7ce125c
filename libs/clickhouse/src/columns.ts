import { z } from 'zod';

/**
 * Parsers for the text forms JSONEachRow gives columns in, so a row is checked where it enters
 * the process (a column whose type drifted fails here, naming it) and callers get one form per
 * column: ClickHouse quotes 64-bit integers, and an aggregate over nothing gives null.
 */
export const column = {
  text: z.string(),
  /** DateTime64(3, 'UTC') as 'YYYY-MM-DD hh:mm:ss.sss' (time.ts: ChDateTime). */
  dateTime: z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?$/),
  /** Date as 'YYYY-MM-DD'. */
  date: z.string().regex(/^\d{4}-\d\d-\d\d$/),
  /** UInt8/16/32, Int32, and UInt8 flags. */
  int: z.number().int(),
  /** A (U)Int64 count, quoted or not: read as a number (counts stay far below 2^53). */
  count: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number),
  /** A UInt64 position (Kafka offsets, versions): kept as decimal text, exact. */
  offset: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String),
  /** Float64; NaN and infinities come back as null. */
  float: z.number().nullable(),
  texts: z.array(z.string()),
};

/** Any row, as the engine answered it: for snapshots that compare whole tables. */
export const anyRow = z.record(z.string(), z.unknown());

/** How a row must look, parsed at the boundary (store.query). */
export type RowSchema<T> = z.ZodType<T, unknown>;

/** A row the engine answered in a shape its schema refuses. */
export class RowShapeError extends Error {
  override readonly name = 'RowShapeError';

  constructor(index: number, sql: string, error: z.ZodError) {
    const issues = error.issues.map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`).join('; ');
    super(`row ${index} of "${sql.replace(/\s+/g, ' ').slice(0, 80)}" does not match its schema: ${issues}`);
  }
}

export function parseRows<T>(schema: RowSchema<T>, rows: readonly unknown[], sql: string): T[] {
  const parsed: T[] = new Array<T>(rows.length);
  for (let index = 0; index < rows.length; index++) {
    const result = schema.safeParse(rows[index]);
    if (!result.success) throw new RowShapeError(index, sql, result.error);
    parsed[index] = result.data;
  }
  return parsed;
}
