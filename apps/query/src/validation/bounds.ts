/**
 * The read API's input bounds as pure functions (docs/read-api.md, "Limits"). Every parameter
 * is checked against them before any work is done, so no value can size an allocation or a
 * statement beyond what is documented.
 */

/** Earliest instant accepted: the Unix epoch. */
export const MIN_TIMESTAMP_MS = 0;
/** Latest instant accepted: 2299-12-31T23:59:59.999Z, the end of ClickHouse's DateTime64 range. */
export const MAX_TIMESTAMP_MS = Date.UTC(2300, 0, 1) - 1;
/** Calendar dates (start_date, end_date) are bound as ClickHouse `Date`: 1970-01-01 to 2149-06-06. */
export const MIN_DATE = '1970-01-01';
export const MAX_DATE = '2149-06-06';
/**
 * Highest `page`. Pages go as deep as the data (the reference sets no bound, and its export recipe
 * pages to the end at limit=500); this only keeps (page - 1) * limit an exact integer.
 */
export const MAX_PAGE = 10_000_000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Unix ms of an RFC 3339 timestamp, or undefined when it is not one, names an impossible date or
 * time (2026-02-30, 24:00, leap second 60) or falls outside [MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS].
 * Anything this accepts, `new Date` and toChDateTime accept too.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (match[9] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59)) return undefined;
  const ms = Date.parse(value.toUpperCase());
  return Number.isFinite(ms) && ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS ? ms : undefined;
}

/** True for a real calendar date YYYY-MM-DD within [MIN_DATE, MAX_DATE]. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1, 4).map(Number);
  return isRealDate(year, month, day) && value >= MIN_DATE && value <= MAX_DATE;
}
