import { ConfigError, loadEnv } from '@runstream/config';
import { leaseSweeperConfig, schedulerConfig, SchedulerEnv } from './scheduler.env';

const load = (env: NodeJS.ProcessEnv): SchedulerEnv => loadEnv({ scheduler: SchedulerEnv }, env).scheduler;

describe('SchedulerEnv', () => {
  it('defaults: on, 1 s ticks, 5 min starting deadline, 60 s lease swept every 15 s', () => {
    const env = load({});
    expect(schedulerConfig(env)).toEqual({ enabled: true, tickMs: 1_000, refreshMs: 5_000, startingDeadlineMs: 300_000, concurrencyPolicy: 'Forbid' });
    expect(leaseSweeperConfig(env)).toEqual({ enabled: true, leaseMs: 60_000, sweepMs: 15_000, materializerGroupId: 'runstream-materializer' });
  });

  it("watches the materializer's own group when only MATERIALIZER_GROUP_ID is set", () => {
    expect(leaseSweeperConfig(load({}), { MATERIALIZER_GROUP_ID: 'mat-eu' }).materializerGroupId).toBe('mat-eu');
    const both = { CONTROL_MATERIALIZER_GROUP_ID: 'mat-control', MATERIALIZER_GROUP_ID: 'mat-eu' };
    expect(leaseSweeperConfig(load(both), both).materializerGroupId).toBe('mat-control');
  });

  it('reads false as false and a short lease as a quick sweep', () => {
    const env = load({ CONTROL_SCHEDULER_ENABLED: 'false', CONTROL_LEASE_SWEEPER_ENABLED: 'false', CONTROL_RUN_LEASE_MS: '2000' });
    expect(schedulerConfig(env).enabled).toBe(false);
    expect(leaseSweeperConfig(env)).toMatchObject({ enabled: false, leaseMs: 2_000, sweepMs: 500 });
  });

  it('names every bad variable', () => {
    expect(() => load({ CONTROL_SCHEDULER_ENABLED: 'no', CONTROL_SCHEDULER_TICK_MS: '0', CONTROL_RUN_LEASE_MS: 'soon' })).toThrow(ConfigError);
    try {
      load({ CONTROL_SCHEDULER_ENABLED: 'no', CONTROL_SCHEDULER_TICK_MS: '0', CONTROL_RUN_LEASE_MS: 'soon' });
    } catch (error) {
      const text = (error as ConfigError).problems.join('\n');
      expect(text).toMatch(/CONTROL_SCHEDULER_ENABLED/);
      expect(text).toMatch(/CONTROL_SCHEDULER_TICK_MS/);
      expect(text).toMatch(/CONTROL_RUN_LEASE_MS/);
    }
  });
});
