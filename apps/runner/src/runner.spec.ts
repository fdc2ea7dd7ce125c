import { exitCodeOf, jobEnvironment } from './runner';

describe('the pod runner', () => {
  it("gives the program the pod's environment without the runner's RUNSTREAM_* (the gateway token among them)", () => {
    expect(
      jobEnvironment({
        PATH: '/usr/bin',
        DBT_TARGET: 'prod',
        KUBERNETES_SERVICE_HOST: '10.0.0.1',
        RUNSTREAM_GATEWAY_TOKEN: 'rst_x',
        RUNSTREAM_RUN_ID: 'run_1',
      }),
    ).toEqual({ PATH: '/usr/bin', DBT_TARGET: 'prod', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
  });

  it("exits with the program's code, so the Kubernetes Job's status agrees with the run", () => {
    expect(exitCodeOf({ status: 'succeeded', exitCode: 0 })).toBe(0);
    expect(exitCodeOf({ status: 'failed', exitCode: 3, errorSummary: 'exited with code 3' })).toBe(3);
    expect(exitCodeOf({ status: 'failed', errorSummary: 'dbt: command not found' })).toBe(1);
    expect(exitCodeOf({ status: 'cancelled', errorSummary: 'pod terminated (SIGTERM)' })).toBe(143);
  });
});
