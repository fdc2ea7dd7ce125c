import { createHash } from 'node:crypto';
import { cronFor, decideTick as decide, latestTickAtOrBefore, scheduledRunId, SchedulableJob } from './schedule-ticks';

const at = (iso: string): Date => new Date(iso);

/** The reference answer, by walking forward with nextRun (strictly after its argument). */
function bruteLatest(schedule: string, timezone: string, now: Date, from: Date): Date | null {
  const cron = cronFor(schedule, timezone);
  let latest: Date | null = null;
  let next = cron.nextRun(from);
  while (next !== null && next.getTime() <= now.getTime()) {
    latest = next;
    next = cron.nextRun(next);
  }
  return latest;
}

describe('latestTickAtOrBefore', () => {
  it('includes a tick exactly at now and excludes one a millisecond later', () => {
    const cron = cronFor('* * * * *', 'UTC');
    expect(latestTickAtOrBefore(cron, at('2026-01-01T00:05:00.000Z'))).toEqual(at('2026-01-01T00:05:00.000Z'));
    expect(latestTickAtOrBefore(cron, at('2026-01-01T00:04:59.999Z'))).toEqual(at('2026-01-01T00:04:00.000Z'));
    expect(latestTickAtOrBefore(cron, at('2026-01-01T00:05:00.999Z'))).toEqual(at('2026-01-01T00:05:00.000Z'));
  });

  it('agrees with walking the schedule forward, for seconds, minutes, macros and time zones', () => {
    // Each with a window longer than its period, for the forward walk to start from.
    const cases: Array<[string, string, number]> = [
      ['* * * * * *', 'UTC', 60_000],
      ['*/7 * * * * *', 'UTC', 60_000],
      ['* * * * *', 'UTC', 3_600_000],
      ['*/5 * * * *', 'America/New_York', 3_600_000],
      ['@hourly', 'UTC', 86_400_000],
      ['30 2 * * *', 'Europe/Berlin', 3 * 86_400_000],
      ['0 0 * * 1', 'Asia/Kolkata', 8 * 86_400_000],
    ];
    // A fixed pseudo-random walk over instants, including ones inside the first second of a tick.
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const [schedule, timezone, window] of cases) {
      const cron = cronFor(schedule, timezone);
      for (let i = 0; i < 40; i += 1) {
        // Whole seconds half the time: instants at or just after a tick are the interesting ones.
        const ms = Math.floor(random() * 365 * 86_400_000);
        const now = new Date(Date.UTC(2026, 0, 1) + (i % 2 === 0 ? ms - (ms % 1000) : ms));
        const from = new Date(now.getTime() - window);
        expect([schedule, timezone, now, latestTickAtOrBefore(cron, now)]).toEqual([schedule, timezone, now, bruteLatest(schedule, timezone, now, from)]);
      }
    }
  });
});

describe('time zones', () => {
  it('reads the schedule in the job time zone, UTC when none is given', () => {
    const now = at('2026-07-01T12:00:00Z');
    expect(latestTickAtOrBefore(cronFor('0 2 * * *', ''), now)).toEqual(at('2026-07-01T02:00:00Z'));
    expect(latestTickAtOrBefore(cronFor('0 2 * * *', 'UTC'), now)).toEqual(at('2026-07-01T02:00:00Z'));
    // Summer time: 02:00 in Berlin is 00:00 UTC; in winter 01:00 UTC.
    expect(latestTickAtOrBefore(cronFor('0 2 * * *', 'Europe/Berlin'), now)).toEqual(at('2026-07-01T00:00:00Z'));
    expect(latestTickAtOrBefore(cronFor('0 2 * * *', 'Europe/Berlin'), at('2026-01-15T12:00:00Z'))).toEqual(at('2026-01-15T01:00:00Z'));
    expect(latestTickAtOrBefore(cronFor('0 2 * * *', 'America/New_York'), now)).toEqual(at('2026-07-01T06:00:00Z'));
  });

  it('fires a wall-clock time skipped by a DST change once, and a repeated one once', () => {
    const cron = cronFor('30 2 * * *', 'Europe/Berlin');
    // 29 March 2026: 02:00 → 03:00 local; 25 October: 03:00 → 02:00 local.
    const march = [cron.nextRun(at('2026-03-28T12:00:00Z')), cron.nextRun(at('2026-03-29T12:00:00Z'))];
    expect(march.map((d) => d?.toISOString().slice(0, 10))).toEqual(['2026-03-29', '2026-03-30']);
    const october = [cron.nextRun(at('2026-10-24T12:00:00Z')), cron.nextRun(at('2026-10-25T00:30:00Z'))];
    expect(october.map((d) => d?.toISOString().slice(0, 10))).toEqual(['2026-10-25', '2026-10-26']);
  });
});

describe('scheduledRunId', () => {
  it('is run_ and the first 32 hex of sha256(job id|tick ISO UTC)', () => {
    const tick = at('2026-02-26T06:00:00.000Z');
    const expected = createHash('sha256').update('job_0123|2026-02-26T06:00:00.000Z').digest('hex').slice(0, 32);
    expect(scheduledRunId('job_0123', tick)).toBe(`run_${expected}`);
    expect(scheduledRunId('job_0123', tick)).toMatch(/^run_[0-9a-f]{32}$/);
  });

  it('is the same for the same job and tick however the tick was computed, and differs otherwise', () => {
    const viaBerlin = latestTickAtOrBefore(cronFor('0 7 * * *', 'Europe/Berlin'), at('2026-02-26T06:30:00Z'));
    expect(scheduledRunId('job_a', viaBerlin as Date)).toBe(scheduledRunId('job_a', at('2026-02-26T06:00:00Z')));
    expect(scheduledRunId('job_a', at('2026-02-26T06:00:00Z'))).not.toBe(scheduledRunId('job_b', at('2026-02-26T06:00:00Z')));
    expect(scheduledRunId('job_a', at('2026-02-26T06:00:00Z'))).not.toBe(scheduledRunId('job_a', at('2026-02-26T06:01:00Z')));
  });
});

describe('decideTick', () => {
  const hourly = cronFor('0 * * * *', 'UTC');
  /** decideTick of the schedule's latest tick at `now`, as the planner asks it. */
  const decideTick = (cron: ReturnType<typeof cronFor>, job: Pick<SchedulableJob, 'since'>, cursor: Date | null, now: Date, deadlineMs: number) =>
    decide(latestTickAtOrBefore(cron, now), job, cursor, now, deadlineMs);
  const job = { since: at('2026-01-01T00:00:00Z') };
  const deadline = 5 * 60_000;

  it('fires the latest tick when it is due and not yet fired', () => {
    expect(decideTick(hourly, job, null, at('2026-02-01T10:00:00Z'), deadline)).toEqual({ kind: 'fire', tick: at('2026-02-01T10:00:00Z') });
    expect(decideTick(hourly, job, at('2026-02-01T09:00:00Z'), at('2026-02-01T10:00:01Z'), deadline)).toEqual({
      kind: 'fire',
      tick: at('2026-02-01T10:00:00Z'),
    });
  });

  it('does nothing for a tick already fired or skipped', () => {
    expect(decideTick(hourly, job, at('2026-02-01T10:00:00Z'), at('2026-02-01T10:59:59Z'), deadline)).toEqual({ kind: 'none' });
  });

  it('fires a missed tick up to the deadline (inclusive) and skips it after', () => {
    expect(decideTick(hourly, job, null, at('2026-02-01T10:05:00Z'), deadline)).toEqual({ kind: 'fire', tick: at('2026-02-01T10:00:00Z') });
    expect(decideTick(hourly, job, null, at('2026-02-01T10:05:00.001Z'), deadline)).toEqual({
      kind: 'skip',
      tick: at('2026-02-01T10:00:00Z'),
      reason: 'past-deadline',
    });
  });

  it('never fires a tick from before the job existed or last changed', () => {
    const created = { since: at('2026-02-01T10:00:00.001Z') };
    expect(decideTick(hourly, created, null, at('2026-02-01T10:00:30Z'), deadline)).toEqual({
      kind: 'skip',
      tick: at('2026-02-01T10:00:00Z'),
      reason: 'before-job',
    });
    expect(decideTick(hourly, { since: at('2026-02-01T10:00:00Z') }, null, at('2026-02-01T10:00:30Z'), deadline).kind).toBe('fire');
  });

  it('answers none for a schedule that never fired before now', () => {
    expect(decideTick(cronFor('0 0 1 1 *', 'UTC'), job, null, at('0001-01-01T12:00:00Z'), deadline)).toEqual({ kind: 'none' });
  });
});
