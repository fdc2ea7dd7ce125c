import { JobRow } from '@runstream/clickhouse';
import { ControlConfig } from '../config/control.config';
import { LocalRunExecutor } from './run-executor';
import { runIdTag } from './run-names';

describe('LocalRunExecutor.place', () => {
  const executor = new LocalRunExecutor({ localGateway: 'local-gateway' } as ControlConfig);
  const job = { name: 'nightly' } as JobRow;
  const named = 'proj-nightly-20260428-120000';

  it("keeps a scheduled run's reference name (one run per job and tick)", () => {
    expect(executor.place('org', 'proj', job, named, 'run_a', 'scheduled')).toEqual({
      target_gateway: 'local-gateway',
      namespace: '',
      cronjob_name: 'nightly',
      job_name: named,
    });
  });

  it('tags any other run with its id, so two triggers in one second are two executions', () => {
    const first = executor.place('org', 'proj', job, named, 'run_a', 'manual').job_name;
    const second = executor.place('org', 'proj', job, named, 'run_b', 'manual').job_name;
    expect(first).toBe(`${named}-${runIdTag('run_a')}`);
    expect(first).toMatch(/^proj-nightly-20260428-120000-[0-9a-f]{8}$/);
    expect(second).not.toBe(first);
  });
});
