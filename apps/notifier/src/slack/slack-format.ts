import { TelemetrySummary } from '@runstream/events';

/** Slack's mrkdwn needs exactly these three escaped; it decodes no other entity. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The marker that says text was cut. */
export const ELLIPSIS = '…';

/**
 * At most `max` UTF-16 units of `text` (what Slack's length limits count), cut on a code point
 * boundary so no half surrogate pair is sent, with ELLIPSIS at the end when cut.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > max - ELLIPSIS.length) break;
    kept += char;
  }
  return kept + ELLIPSIS;
}

/**
 * Escapes `text` for mrkdwn and keeps the result within `max` UTF-16 units, cutting before an
 * escape rather than through one (a half `&amp;` would show as text).
 */
export function escapeAndTruncate(text: string, max: number): string {
  const whole = escapeMrkdwn(text);
  if (whole.length <= max) return whole;
  let kept = '';
  for (const char of text) {
    const escaped = escapeMrkdwn(char);
    if (kept.length + escaped.length > max - ELLIPSIS.length) break;
    kept += escaped;
  }
  return kept + ELLIPSIS;
}

/** "45s", "2m 5s", "1h 2m 5s", "3d 4h 5m"; under ten seconds with one decimal ("2.5s"). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 10) return `${Number(seconds.toFixed(1))}s`;
  const total = Math.round(seconds);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const secs = total % 60;
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m ${secs}s`;
  if (minutes > 0) return `${minutes}m ${secs}s`;
  return `${secs}s`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Decimal units, as storage and transfer sizes are usually quoted: 1_234_567 → "1.2 MB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  // 999_950 bytes rounds to "1000.0 KB"; say "1.0 MB" instead.
  if (unit < BYTE_UNITS.length - 1 && Number(value.toFixed(1)) >= 1000) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

const COUNT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatCount(count: number): string {
  return COUNT_FORMAT.format(count);
}

/** Runner keys are free-form: the reference's camelCase first, then the snake_case and short spellings. */
const ROWS_KEYS = ['rowsLoaded', 'rows_loaded', 'rows'];
const BYTES_KEYS = ['bytesLoaded', 'bytes_loaded', 'bytes'];

function firstCount(summary: TelemetrySummary | undefined, keys: readonly string[]): number | undefined {
  if (!summary) return undefined;
  for (const key of keys) {
    const value = summary[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

/** Rows and bytes loaded, each only when the run reported it as a number. */
export function telemetryCounts(summary: TelemetrySummary | undefined): { rows?: number; bytes?: number } {
  return { rows: firstCount(summary, ROWS_KEYS), bytes: firstCount(summary, BYTES_KEYS) };
}
