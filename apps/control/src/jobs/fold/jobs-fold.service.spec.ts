import { ClickHouseStore, JobCommandRow, JobRow } from '@runstream/clickhouse';
import { encodeJobEvent, JOB_SPEC_DEFAULTS, JobEventEnvelope, uuidv7, validateJobEvent } from '@runstream/events';
import { IncomingMessage } from '@runstream/kafka';
import { JobsFoldService } from './jobs-fold.service';

function created(offset: number, jobId: string, name: string): IncomingMessage {
  const event = {
    event_id: uuidv7(),
    type: 'job.created',
    schema_version: 1,
    org_id: 'org',
    project_id: 'proj',
    job_id: jobId,
    occurred_at: '2026-04-28T12:00:00.000Z',
    actor: 'tok',
    payload: { request_id: `req_${offset}`, spec: { ...JOB_SPEC_DEFAULTS, name, command: 'dbt build', schedule: '@daily' } },
  } as JobEventEnvelope<'job.created'>;
  expect(validateJobEvent(event)).toBeUndefined();
  return { topic: 'jobs', partition: 0, offset: String(offset), key: 'org', value: encodeJobEvent(event) };
}

/** A store holding nothing yet whose first write of decisions fails, as a ClickHouse hiccup would. */
function flakyStore(): { store: ClickHouseStore; jobs: JobRow[]; decisions: JobCommandRow[][] } {
  const jobs: JobRow[] = [];
  const decisions: JobCommandRow[][] = [];
  let failures = 1;
  const store = {
    query: async () => [],
    insert: async (table: string, rows: readonly unknown[]) => {
      if (table === 'jobs') jobs.push(...(rows as JobRow[]));
      else if (failures-- > 0) throw new Error('TOO_MANY_PARTS');
      else decisions.push([...(rows as JobCommandRow[])]);
    },
  } as unknown as ClickHouseStore;
  return { store, jobs, decisions };
}

describe('JobsFoldService', () => {
  it('retries a failed write of the decisions it made, rather than deciding the flush again on rows it already wrote', async () => {
    const { store, jobs, decisions } = flakyStore();
    await new JobsFoldService(store).fold([created(1, 'job_a', 'nightly'), created(2, 'job_b', 'nightly')]);
    expect(jobs.map((row) => row.id)).toEqual(['job_a']);
    expect(decisions).toHaveLength(1);
    expect(decisions[0].map((row) => [row.job_id, row.outcome])).toEqual([
      ['job_a', 'applied'],
      ['job_b', 'conflict'],
    ]);
  });
});
