// The formatter @clickhouse/client's HTTP connection uses for `param_x` (the package bundles it
// without exporting it at the top): the same copy as the TupleParam the queries build.
import { formatQueryParams } from '@clickhouse/client/dist/common';

import type { ClickHouseSettings } from '@clickhouse/client';

const UNKNOWN = '\u0000unknown';

/** The engine's default `max_query_size`; a SET longer than this needs it raised first. */
const DEFAULT_MAX_QUERY_SIZE = 262_144;
const MAX_QUERY_SIZE = 'max_query_size';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A single-quoted ClickHouse string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A parameter as `SET param_x` takes it: the value in the form the HTTP interface's `param_x`
 * takes (the client's own formatter, so a server and chDB bind the same text), quoted.
 */
export function paramLiteral(value: unknown): string {
  return sqlString(formatQueryParams({ value }));
}

function settingLiteral(value: NonNullable<ClickHouseSettings[string]>): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return typeof value === 'number' ? String(value) : sqlString(String(value));
}

function checkedName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid setting or parameter name ${JSON.stringify(name)}`);
  return name;
}

/**
 * The settings one chDB session holds, and the text it runs for each statement: `SET` of the
 * statement's settings and parameters, then the statement. Parameters travel as session
 * parameters (`param_x`), not through chDB's bound-parameter call, because that call keeps them
 * in process-wide state and so runs one query at a time for the whole process. Settings persist
 * on a session: those a previous statement left are reset to DEFAULT and those already in place
 * are not repeated, so every statement runs under exactly its own settings.
 */
export class SessionSettings {
  /** Setting name -> the literal the session holds, or UNKNOWN after a failed statement. */
  private readonly held = new Map<string, string>();
  private touched: string[] = [];

  statement(sql: string, params: Record<string, unknown>, settings: ClickHouseSettings): string {
    const wanted = new Map<string, string>();
    for (const [name, value] of Object.entries(settings)) {
      if (value !== undefined) wanted.set(checkedName(name), settingLiteral(value));
    }
    const assignments: string[] = [];
    for (const name of this.held.keys()) {
      if (!wanted.has(name) && name !== MAX_QUERY_SIZE) assignments.push(`${name} = DEFAULT`);
    }
    for (const [name, literal] of wanted) {
      if (this.held.get(name) !== literal) assignments.push(`${name} = ${literal}`);
    }
    for (const [name, value] of Object.entries(params)) assignments.push(`param_${checkedName(name)} = ${paramLiteral(value)}`);
    this.touched = [...this.held.keys(), ...wanted.keys()];
    if (assignments.length === 0) return sql;

    const set = `SET ${assignments.join(', ')}`;
    for (const name of [...this.held.keys()]) if (name !== MAX_QUERY_SIZE) this.held.delete(name);
    for (const [name, literal] of wanted) this.held.set(name, literal);
    // Raised in a statement of its own (a SET is parsed whole before any of its assignments
    // apply) and left raised: a larger limit costs nothing.
    const size = Buffer.byteLength(set) + 1024;
    if (!(size <= Number(this.held.get(MAX_QUERY_SIZE) ?? DEFAULT_MAX_QUERY_SIZE))) {
      this.held.set(MAX_QUERY_SIZE, String(size));
      this.touched.push(MAX_QUERY_SIZE);
      return `SET ${MAX_QUERY_SIZE} = ${size}; ${set}; ${sql}`;
    }
    return `${set}; ${sql}`;
  }

  /** The last statement failed, maybe part-way: whatever it touched is set again next time. */
  failed(): void {
    for (const name of this.touched) this.held.set(name, UNKNOWN);
  }
}
