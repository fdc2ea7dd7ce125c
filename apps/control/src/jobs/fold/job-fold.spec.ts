import { JobRow } from '@runstream/clickhouse';
import { AnyJobEvent, JOB_SPEC_DEFAULTS, JobEventPayloads, JobEventType, JobSpec } from '@runstream/events';
import { SECRET_MASK } from '../job.response';
import { foldJobEvent, ProjectJobs } from './job-fold';

let offset = 0;
const spec = (name: string, extra: Partial<JobSpec> = {}): JobSpec => ({ ...JOB_SPEC_DEFAULTS, name, command: 'dbt build', schedule: '@daily', ...extra });

function event<T extends JobEventType>(type: T, jobId: string, payload: Omit<JobEventPayloads[T], 'request_id'>): AnyJobEvent {
  offset += 1;
  return { event_id: '0', type, schema_version: 1, org_id: 'org', project_id: 'proj', job_id: jobId, occurred_at: `2026-04-28T12:00:${String(offset % 60).padStart(2, '0')}.000Z`, actor: 'tok', payload: { ...payload, request_id: `req_${offset}` } } as AnyJobEvent;
}

/** Applies events in order like the fold service, returning the outcomes. */
function fold(jobs: ProjectJobs, ...events: AnyJobEvent[]): string[] {
  return events.map((e) => {
    const result = foldJobEvent(jobs, e, { partition: 0, offset: String(Number(e.payload.request_id.slice(4))) }, new Date());
    if (result.row) jobs.set(result.row.id, result.row);
    return result.command.outcome;
  });
}

describe('jobs fold: the single writer decides every command in log order', () => {
  it('gives a name to the first creator only, frees it on delete, refuses renames onto it', () => {
    const jobs: ProjectJobs = new Map();
    expect(fold(jobs, event('job.created', 'job_a', { spec: spec('nightly') }), event('job.created', 'job_b', { spec: spec('nightly') }))).toEqual(['applied', 'conflict']);
    expect(jobs.has('job_b')).toBe(false);
    expect(fold(jobs, event('job.created', 'job_c', { spec: spec('other') }), event('job.updated', 'job_c', { changes: { name: 'nightly' } }))).toEqual(['applied', 'conflict']);
    expect(fold(jobs, event('job.deleted', 'job_a', {}), event('job.updated', 'job_c', { changes: { name: 'nightly' } }))).toEqual(['applied', 'applied']);
    expect(jobs.get('job_c')?.name).toBe('nightly');
    expect(jobs.get('job_a')?.deleted).toBe(1);
  });

  it('answers not_found for unknown and deleted jobs', () => {
    const jobs: ProjectJobs = new Map();
    expect(fold(jobs, event('job.updated', 'job_x', { changes: { enabled: false } }), event('job.deleted', 'job_x', {}))).toEqual(['not_found', 'not_found']);
    fold(jobs, event('job.created', 'job_y', { spec: spec('y') }), event('job.deleted', 'job_y', {}));
    expect(fold(jobs, event('job.updated', 'job_y', { changes: { enabled: false } }), event('job.deleted', 'job_y', {}))).toEqual(['not_found', 'not_found']);
  });

  it('changes only supplied fields, keeps created_at, and keeps a secret sent back masked', () => {
    const jobs: ProjectJobs = new Map();
    fold(jobs, event('job.created', 'job_s', { spec: spec('s', { environment: { PASSWORD: 'p', TARGET: 'dev' }, description: 'd' }) }));
    const created = jobs.get('job_s') as JobRow;
    fold(jobs, event('job.updated', 'job_s', { changes: { environment: { PASSWORD: SECRET_MASK, TARGET: 'prod', NEW: SECRET_MASK } } }));
    const updated = jobs.get('job_s') as JobRow;
    expect(JSON.parse(updated.environment)).toEqual({ PASSWORD: 'p', TARGET: 'prod', NEW: SECRET_MASK });
    expect(updated).toMatchObject({ description: 'd', created_at: created.created_at });
    expect(updated.updated_at > created.updated_at).toBe(true);
  });

  it('writes no new version for a change that changes nothing, and recognises an event already folded', () => {
    const jobs: ProjectJobs = new Map();
    fold(jobs, event('job.created', 'job_n', { spec: spec('n') }));
    const noop = event('job.updated', 'job_n', { changes: { enabled: true } });
    expect(foldJobEvent(jobs, noop, { partition: 0, offset: '999999' }, new Date())).toMatchObject({ row: undefined, command: { outcome: 'applied' } });
    const replayed = event('job.updated', 'job_n', { changes: { name: 'taken-later' } });
    const row = jobs.get('job_n') as JobRow;
    expect(foldJobEvent(jobs, replayed, { partition: 0, offset: row.kafka_offset }, new Date())).toMatchObject({ row: undefined, command: { outcome: 'applied', reason: 'already folded' } });
  });
});
