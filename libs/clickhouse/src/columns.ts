import { z } from 'zod';

/**
 * Parsers for the forms JSONEachRow gives columns in, so a row is checked where it enters the
 * process: a column whose type drifted fails here, naming it. Table rows are checked by type only
 * (the materializer reads ~13,000 runs a flush, and each format check or conversion costs about as
 * much as a whole row's type checks); the engine's column type fixes the text's format. Reads
 * always quote 64-bit integers (store.ts), so they arrive as exact decimal text, and table
 * rows keep them so (a conversion costs about a microsecond a field); aggregates convert theirs.
 * Measured on a `runs` row: ~2.3 µs with these checks, ~5 µs with conversions, ~15 µs with formats.
 */
export const column = {
  text: z.string(),
  /** DateTime64(3, 'UTC') as 'YYYY-MM-DD hh:mm:ss.sss' (time.ts: ChDateTime); a DateTime has no fraction. */
  dateTime: z.string(),
  /** Date as 'YYYY-MM-DD'. */
  date: z.string(),
  /** UInt8/16/32 and Int32 (flags too). */
  int: z.number(),
  /** A UInt64 position of a table row (Kafka offsets, versions): exact decimal text, as written and read. */
  uint64: z.string(),
  /** A UInt64 counter of a table row: decimal text when read, a number in a row built to be inserted; Number() it to use it. */
  counter: z.union([z.string(), z.number()]),
  /** A (U)Int64 count in an aggregate's few rows: decimal text, converted to a number (counts stay far below 2^53). */
  count: z.string().transform(Number),
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
