/** Display helpers: every time is shown in UTC; the local offset is in the element's title. */

export function utc(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "2026-02-26 07:12:34 (UTC+01:00, your time)" for the title tooltip. */
export function localTitle(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  return `${local} (UTC${sign}${hh}:${mm}, your time)`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const shown = seconds.toFixed(seconds < 10 ? 2 : 1);
  if (Number(shown) < 60) return `${shown} s`;
  // Rounded once, then split: 119.6 s is 2 m 0 s, never 1 m 60 s.
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  if (m < 60) return `${m} m ${total % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined
    ? '–'
    : new Intl.NumberFormat('en', { notation: value >= 100_000 ? 'compact' : 'standard', maximumFractionDigits: 1 }).format(value);
}

/** `1 line`, `2 lines`: a count and its noun (plural by a trailing s). */
export function plural(value: number, noun: string): string {
  return `${count(value)} ${noun}${value === 1 ? '' : 's'}`;
}

export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = value;
  let unit = 0;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit += 1;
  }
  return `${v.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || Number.isNaN(fraction) ? '–' : `${(fraction * 100).toFixed(1)} %`;
}

/** A telemetry value that may be missing or not a number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** YYYY-MM-DD of a UTC day `offset` days from today. */
export function utcDate(offsetDays: number, now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays)).toISOString().slice(0, 10);
}
