import { Cron } from 'croner';

/** The macros both backends understand (croner here, Kubernetes CronJob there). */
export const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

/** croner extensions Kubernetes' cron parser does not know: a schedule must mean the same on both backends. */
const CRONER_ONLY = /[LW#]/i;
/** Letters are allowed only as month and weekday names (JAN, MON). */
const NAMES = /^(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)$/i;

/** Why `schedule` is not a 5-field cron expression or a known macro, or undefined. */
export function scheduleProblem(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (trimmed.startsWith('@')) {
    if (!(CRON_MACROS as readonly string[]).includes(trimmed.toLowerCase())) return `must be a 5-field cron expression or one of ${CRON_MACROS.join(' ')}`;
    // Kubernetes' parser knows a macro only as written here: "@DAILY" or " @daily" would never fire there.
    return schedule === trimmed.toLowerCase() ? undefined : `write the macro exactly as ${trimmed.toLowerCase()} (lower case, no spaces around it)`;
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) return `must have 5 fields (minute hour day-of-month month day-of-week), not ${fields.length}`;
  for (const field of fields) {
    const words = field.match(/[A-Za-z]+/g) ?? [];
    if (words.some((word) => !NAMES.test(word)) || CRONER_ONLY.test(field.replace(/[A-Za-z]{3}/g, ''))) {
      return `field "${field}" uses syntax that is not standard cron (L, W, # and other words are not supported)`;
    }
  }
  const weekdays = weekdayProblem(fields[4]);
  if (weekdays) return weekdays;
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { paused: true });
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
  // February 31st: accepted by the grammar, it would never run (and costs the scheduler a long search each time it asks).
  if (cron.nextRun() === null) return 'never fires: no date matches it';
  return undefined;
}

const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * croner reads day-of-week 7 (and SUN at the end of a range) as Sunday; Kubernetes' cron parser
 * takes 0-6 only and refuses the CronJob, so such a schedule would never fire there.
 */
function weekdayProblem(field: string): string | undefined {
  const numeric = field.replace(/[A-Za-z]{3}/g, (name) => String(WEEKDAY_NAMES.indexOf(name.toUpperCase())));
  for (const part of numeric.split(',')) {
    const [from, to] = part.split('/')[0].split('-').map(Number);
    if (from === 7 || to === 7) return 'day-of-week takes 0-6 (Sunday is 0); 7 is not standard cron';
    if (to !== undefined && from > to) return `day-of-week range ${part} ends before it starts (Sunday is 0: write 1-6,0 rather than MON-SUN)`;
  }
  return undefined;
}

/** Why `timezone` is not an IANA time zone name, or undefined. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return undefined;
  } catch {
    return 'must be an IANA time zone name (e.g. UTC, Europe/Berlin)';
  }
}
