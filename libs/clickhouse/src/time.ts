/** ClickHouse DateTime64(3, 'UTC') text form: 'YYYY-MM-DD hh:mm:ss.sss'. */
export type ChDateTime = string;

const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48;
}

/**
 * The text toISOString() gives back for a 'YYYY-MM-DDThh:mm:ss.sssZ' string whose fields a Date
 * would not normalise (day ≤ 28, so every month has it), without making a Date: the events'
 * timestamps are in this form, and the fold formats several per event.
 */
function canonicalUtc(value: string): ChDateTime | undefined {
  if (!CANONICAL_UTC.test(value)) return undefined;
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1 || day > 28 || twoDigits(value, 11) > 23 || twoDigits(value, 14) > 59 || twoDigits(value, 17) > 59) {
    return undefined;
  }
  return `${value.slice(0, 10)} ${value.slice(11, 23)}`;
}

export function toChDateTime(value: Date | string | number): ChDateTime {
  const canonical = typeof value === 'string' ? canonicalUtc(value) : undefined;
  if (canonical !== undefined) return canonical;
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
