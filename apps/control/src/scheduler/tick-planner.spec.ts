import { Cron } from 'croner';
import { scheduledRunId, SchedulableJob } from './schedule-ticks';
import { DueTick, TickPlanner } from './tick-planner';

const at = (iso: string): Date => new Date(iso);
const DEADLINE = 5 * 60_000;

function job(overrides: Partial<SchedulableJob> = {}): SchedulableJob {
  return { id: 'job_a', schedule: '* * * * *', timezone: 'UTC', enabled: true, since: at('2026-01-01T00:00:00Z'), ...overrides };
}

/** Plans at `now` and marks every due tick fired, as a scheduler whose starts all succeed. */
function fire(planner: TickPlanner<SchedulableJob>, jobs: SchedulableJob[], now: string): Array<[string, string]> {
  const due = planner.plan(jobs, at(now));
  for (const d of due) planner.fired(d.job.id, d.tick);
  return due.map((d: DueTick<SchedulableJob>) => [d.job.id, d.tick.toISOString()]);
}

describe('TickPlanner', () => {
  afterEach(() => jest.restoreAllMocks());

  it('searches a schedule for its latest tick again only once the next tick has come', () => {
    const searches = jest.spyOn(Cron.prototype, 'previousRuns');
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    // Once a minute, and never (February 31st): a pass every second for three minutes.
    const jobs = [job(), job({ id: 'job_never', schedule: '0 0 31 2 *' })];
    const fired: Array<[string, string]> = [];
    for (let second = 0; second < 180; second++)
      fired.push(...fire(planner, jobs, new Date(Date.parse('2026-02-01T10:00:00.200Z') + second * 1000).toISOString()));
    expect(fired).toEqual(['10:00', '10:01', '10:02'].map((minute) => ['job_a', `2026-02-01T${minute}:00.000Z`]));
    // One search per job at the start and one per tick of job_a, not 360.
    expect(searches.mock.calls.length).toBeLessThanOrEqual(2 + 3 * 2);
  });

  it('fires each tick once, in steady state', () => {
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    const jobs = [job()];
    expect(fire(planner, jobs, '2026-02-01T10:00:00.200Z')).toEqual([['job_a', '2026-02-01T10:00:00.000Z']]);
    expect(fire(planner, jobs, '2026-02-01T10:00:01.200Z')).toEqual([]);
    expect(fire(planner, jobs, '2026-02-01T10:00:59.999Z')).toEqual([]);
    expect(fire(planner, jobs, '2026-02-01T10:01:00.000Z')).toEqual([['job_a', '2026-02-01T10:01:00.000Z']]);
  });

  it('after downtime fires only the most recent missed tick, and only within the deadline', () => {
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    const jobs = [job()];
    fire(planner, jobs, '2026-02-01T10:00:00.100Z');
    // Down from 10:00:30 to 10:04:30: ticks 10:01 to 10:04 missed; one catch-up, for 10:04.
    expect(fire(planner, jobs, '2026-02-01T10:04:30Z')).toEqual([['job_a', '2026-02-01T10:04:00.000Z']]);

    const hourly = [job({ schedule: '0 * * * *' })];
    const restarted = new TickPlanner<SchedulableJob>(DEADLINE);
    expect(fire(restarted, hourly, '2026-02-01T10:05:00Z')).toEqual([['job_a', '2026-02-01T10:00:00.000Z']]);
    const late = new TickPlanner<SchedulableJob>(DEADLINE);
    expect(fire(late, hourly, '2026-02-01T10:05:01Z')).toEqual([]);
    expect(fire(late, hourly, '2026-02-01T10:59:59Z')).toEqual([]);
    expect(fire(late, hourly, '2026-02-01T11:00:00.300Z')).toEqual([['job_a', '2026-02-01T11:00:00.000Z']]);
  });

  it('never fires a tick that passed before the job was created', () => {
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    const jobs = [job({ since: at('2026-02-01T10:00:00.500Z') })];
    expect(fire(planner, jobs, '2026-02-01T10:00:03Z')).toEqual([]);
    expect(fire(planner, jobs, '2026-02-01T10:01:00.010Z')).toEqual([['job_a', '2026-02-01T10:01:00.000Z']]);
  });

  it('retries a tick whose start failed with the same run id, and never runs it twice once it succeeded', () => {
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    const jobs = [job()];
    const first = planner.plan(jobs, at('2026-02-01T10:00:00.100Z'));
    const retry = planner.plan(jobs, at('2026-02-01T10:00:01.100Z'));
    expect(retry.map((d) => d.runId)).toEqual(first.map((d) => d.runId));
    expect(first[0].runId).toBe(scheduledRunId('job_a', at('2026-02-01T10:00:00Z')));
    planner.fired('job_a', retry[0].tick);
    expect(planner.plan(jobs, at('2026-02-01T10:00:02.100Z'))).toEqual([]);
  });

  it('does not fire disabled jobs, nor, once re-enabled, the ticks that passed while disabled', () => {
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    fire(planner, [job()], '2026-02-01T10:00:00.100Z');
    expect(fire(planner, [job({ enabled: false })], '2026-02-01T10:01:00.100Z')).toEqual([]);
    expect(fire(planner, [job({ enabled: false })], '2026-02-01T10:02:00.100Z')).toEqual([]);
    const reenabled = job({ since: at('2026-02-01T10:02:30Z') });
    expect(fire(planner, [reenabled], '2026-02-01T10:02:31Z')).toEqual([]);
    expect(fire(planner, [reenabled], '2026-02-01T10:03:00.100Z')).toEqual([['job_a', '2026-02-01T10:03:00.000Z']]);
  });

  it('recomputes a job whose schedule changed from the change, not from the old cursor', () => {
    const planner = new TickPlanner<SchedulableJob>(DEADLINE);
    fire(planner, [job({ schedule: '0 * * * *' })], '2026-02-01T10:00:00.100Z');
    // Changed at 10:20:10 to every five minutes: 10:20 passed before the change and is not run.
    const changed = job({ schedule: '*/5 * * * *', since: at('2026-02-01T10:20:10Z') });
    expect(fire(planner, [changed], '2026-02-01T10:20:12Z')).toEqual([]);
    expect(fire(planner, [changed], '2026-02-01T10:25:00.050Z')).toEqual([['job_a', '2026-02-01T10:25:00.000Z']]);
    const otherZone = job({ schedule: '*/5 * * * *', timezone: 'Asia/Kolkata', since: at('2026-02-01T10:26:00Z') });
    // Asia/Kolkata is UTC+05:30: its five-minute marks fall on :00 and :05 too, so 10:30 fires.
    expect(fire(planner, [otherZone], '2026-02-01T10:30:00.050Z')).toEqual([['job_a', '2026-02-01T10:30:00.000Z']]);
  });

  it('gives two planners, and a planner started mid-way, the same run id for every tick', () => {
    const a = new TickPlanner<SchedulableJob>(DEADLINE);
    const b = new TickPlanner<SchedulableJob>(DEADLINE);
    const jobs = [job(), job({ id: 'job_b', schedule: '*/2 * * * *' })];
    const ids = new Map<string, Set<string>>();
    const record = (planner: TickPlanner<SchedulableJob>, now: Date): void => {
      for (const d of planner.plan(jobs, now)) {
        planner.fired(d.job.id, d.tick);
        const key = `${d.job.id}|${d.tick.toISOString()}`;
        ids.set(key, (ids.get(key) ?? new Set()).add(d.runId));
      }
    };
    let c: TickPlanner<SchedulableJob> | undefined;
    for (let s = 0; s < 600; s += 7) {
      const now = new Date(Date.parse('2026-02-01T10:00:00Z') + s * 1000);
      record(a, now);
      if (s < 200) record(b, now);
      if (s >= 250) record((c ??= new TickPlanner<SchedulableJob>(DEADLINE)), now);
    }
    // Ten minutes: ten ticks of job_a and five of job_b, each with exactly one id.
    expect([...ids.keys()].filter((k) => k.startsWith('job_a|'))).toHaveLength(10);
    expect([...ids.keys()].filter((k) => k.startsWith('job_b|'))).toHaveLength(5);
    expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('forgets deleted jobs and reports a schedule croner refuses without stopping the others', () => {
    const refused: string[] = [];
    const planner = new TickPlanner<SchedulableJob>(DEADLINE, (j) => refused.push(j.id));
    const jobs = [job({ id: 'job_bad', timezone: 'Nowhere/Atlantis' }), job({ id: 'job_ok' })];
    expect(fire(planner, jobs, '2026-02-01T10:00:00.100Z')).toEqual([['job_ok', '2026-02-01T10:00:00.000Z']]);
    expect(refused).toEqual(['job_bad']);
    fire(planner, [], '2026-02-01T10:00:30Z');
    // Re-listed (e.g. a deleted job's id cannot come back, but a read that missed it can): first seen again.
    expect(fire(planner, [job({ id: 'job_ok' })], '2026-02-01T10:00:31Z')).toEqual([['job_ok', '2026-02-01T10:00:00.000Z']]);
  });
});
