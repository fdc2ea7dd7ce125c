/** ClickHouse DateTime64(3, 'UTC') text form: 'YYYY-MM-DD hh:mm:ss.sss'. */
export type ChDateTime = string;

export function toChDateTime(value: Date | string | number): ChDateTime {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${String(value)}`);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** RFC 3339 UTC with milliseconds, the form the API serves. */
export function fromChDateTime(value: ChDateTime): string;
export function fromChDateTime(value: ChDateTime | null): string | null;
export function fromChDateTime(value: ChDateTime | null): string | null {
  if (value === null) return null;
  return `${value.replace(' ', 'T')}Z`;
}
