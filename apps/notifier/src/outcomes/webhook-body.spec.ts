import { OutcomeNotice } from './outcome-notice';
import { webhookBody } from './webhook-body';

const notice: OutcomeNotice = {
  outcome: 'failure',
  occurredAt: '2026-02-26T06:12:34.123Z',
  orgId: 'org',
  projectId: 'proj',
  job: { id: 'job_1', name: 'nightly' },
  run: {
    id: 'run_1',
    project_id: 'proj',
    job_id: 'job_1',
    job_name: 'nightly',
    cronjob_name: '',
    job_type: 'run',
    status: 'failed',
    start_time: null,
    end_time: null,
    duration_seconds: 12.5,
    triggered_by: 'scheduled',
    created_at: '',
    updated_at: '',
    namespace: '',
  },
  durationSeconds: 12.5,
  errorSummary: 'boom',
  runUrl: 'https://app/runs/run_1',
};

describe('webhookBody', () => {
  it('is the Standard Webhooks envelope with the run, job and project, and no telemetrySummary when none was reported', () => {
    const body = JSON.parse(webhookBody(notice)) as Record<string, unknown> & { data: Record<string, unknown> };
    expect(body).toMatchObject({
      type: 'run.failed',
      timestamp: notice.occurredAt,
      data: {
        event: 'failure',
        project_id: 'proj',
        job: notice.job,
        run: notice.run,
        duration_seconds: 12.5,
        errorSummary: 'boom',
        run_url: 'https://app/runs/run_1',
      },
    });
    expect('telemetrySummary' in body.data).toBe(false);
  });

  it('carries telemetrySummary when the run reported one', () => {
    const body = JSON.parse(webhookBody({ ...notice, outcome: 'success', telemetrySummary: { rowsLoaded: 3 } })) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('run.succeeded');
    expect(body.data.telemetrySummary).toEqual({ rowsLoaded: 3 });
  });
});
