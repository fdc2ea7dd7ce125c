import { runFilterClause } from './runs.table';

describe('runFilterClause', () => {
  it('binds every value as a parameter, never as SQL text', () => {
    const hostile = "x' OR 1=1 --";
    const { where, params } = runFilterClause({
      org_id: hostile,
      project_id: hostile,
      cronjob_name: hostile,
      status: hostile,
      job_type: hostile,
      updated_after: '2026-02-26 06:00:00.000',
    });
    expect(where).not.toContain(hostile);
    expect(where).not.toContain('2026');
    expect(params).toEqual({
      org_id: hostile,
      project_id: hostile,
      cronjob_name: hostile,
      status: hostile,
      job_type: hostile,
      updated_after: '2026-02-26 06:00:00.000',
    });
  });

  it('filters only on what was given', () => {
    expect(runFilterClause({ org_id: 'o', project_id: 'p' }).where).toBe('org_id = {org_id:String} AND project_id = {project_id:String}');
  });

  it('with updated_after, keeps to the partitions holding a version that passes the same filter', () => {
    const { where } = runFilterClause({ org_id: 'o', project_id: 'p', status: 'failed', updated_after: '2026-02-26 06:00:00.000' });
    const outer =
      "org_id = {org_id:String} AND project_id = {project_id:String} AND status = {status:String} AND updated_at > {updated_after:DateTime64(3, 'UTC')}";
    expect(where).toBe(`${outer} AND _partition_id IN (SELECT DISTINCT _partition_id FROM {db:Identifier}.runs WHERE ${outer})`);
  });
});
