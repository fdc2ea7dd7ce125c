import { JobRow } from '@runstream/clickhouse';
import { deliveryChannels, outcomeOfStatus, runLink, seriesEnded, statusChangeTaken } from './outcome-rules';

function job(overrides: Partial<JobRow> = {}): JobRow {
  return {
    org_id: 'org',
    project_id: 'proj',
    id: 'job_1',
    name: 'nightly',
    description: '',
    command: 'dbt build',
    schedule: '@daily',
    timezone: 'UTC',
    enabled: 1,
    resources: '{}',
    environment: '{}',
    slack_channel: '',
    slack_alerts_enabled: 0,
    slack_alert_on_success: 0,
    webhook_url: 'https://hooks.example.com/x',
    webhook_headers: '{}',
    webhook_events: [],
    webhook_enabled: 1,
    webhook_secret: 'whsec_x',
    webhook_previous_secret: '',
    webhook_previous_secret_expires_at: null,
    deleted: 0,
    created_at: '2026-01-01 00:00:00.000',
    updated_at: '2026-01-01 00:00:00.000',
    last_request_id: '',
    kafka_partition: 0,
    kafka_offset: '0',
    ...overrides,
  };
}

describe('seriesEnded: the job as it is now, before each attempt', () => {
  const slack = { slack_channel: '#data', slack_alerts_enabled: 1 } as const;

  it('lets a series go on while the job still wants the outcome on that channel', () => {
    expect(seriesEnded(job({ webhook_events: ['failure'] }), 'failure', 'webhook')).toBeUndefined();
    expect(seriesEnded(job(slack), 'failure', 'slack')).toBeUndefined();
  });

  it('ends it, saying why, once the job is deleted, the channel off or the outcome no longer asked for', () => {
    expect(seriesEnded(undefined, 'failure', 'webhook')).toBe('the job was deleted');
    expect(seriesEnded(job({ webhook_enabled: 0 }), 'failure', 'webhook')).toBe("the job's webhook is disabled");
    expect(seriesEnded(job({ webhook_events: ['success'] }), 'failure', 'webhook')).toBe("the job's webhook_events no longer include failure");
    expect(seriesEnded(job(), 'failure', 'slack')).toBe("the job's Slack alerts are disabled");
    expect(seriesEnded(job({ ...slack, slack_alerts_enabled: 0 }), 'failure', 'slack')).toBe("the job's Slack alerts are disabled");
    expect(seriesEnded(job(slack), 'success', 'slack')).toBe('the job no longer alerts Slack on success');
    expect(seriesEnded(job(), 'not-an-outcome', 'webhook')).toBe("the job's webhook_events no longer include not-an-outcome");
  });
});

describe('outcome rules', () => {
  it('maps statuses to the webhook_events words; pending announces nothing', () => {
    expect(outcomeOfStatus('running')).toBe('started');
    expect(outcomeOfStatus('success')).toBe('success');
    expect(['failed', 'error', 'partial'].map((s) => outcomeOfStatus(s as 'failed'))).toEqual(['failure', 'failure', 'failure']);
    expect(outcomeOfStatus('cancelled')).toBe('cancelled');
    expect(outcomeOfStatus('pending')).toBeUndefined();
  });

  it('tells a status change the run fold refused', () => {
    expect(statusChangeTaken('success', { status: 'success', start_time: null })).toBe(true);
    // A second terminal status after the first is refused by the fold.
    expect(statusChangeTaken('failed', { status: 'success', start_time: null })).toBe(false);
    expect(statusChangeTaken('running', { status: 'running', start_time: '2026-01-01 00:00:00.000' })).toBe(true);
    // The run moved on after it started: the start still happened.
    expect(statusChangeTaken('running', { status: 'success', start_time: '2026-01-01 00:00:00.000' })).toBe(true);
    // Ended without starting: a late "running" was refused.
    expect(statusChangeTaken('running', { status: 'cancelled', start_time: null })).toBe(false);
  });

  it('sends webhooks for the subscribed outcomes (an empty list means all) and Slack per the alert flags', () => {
    expect(deliveryChannels(job(), 'started')).toEqual(['webhook']);
    expect(deliveryChannels(job({ webhook_events: ['failure'] }), 'success')).toEqual([]);
    expect(deliveryChannels(job({ webhook_enabled: 0 }), 'failure')).toEqual([]);
    expect(deliveryChannels(job({ webhook_url: '' }), 'failure')).toEqual([]);
    const slack = job({ webhook_enabled: 0, slack_channel: '#alerts', slack_alerts_enabled: 1 });
    expect(deliveryChannels(slack, 'failure')).toEqual(['slack']);
    expect(deliveryChannels(slack, 'success')).toEqual([]);
    expect(deliveryChannels({ ...slack, slack_alert_on_success: 1 }, 'success')).toEqual(['slack']);
    // "Also alert on success": nothing goes to Slack while its alerts are off.
    expect(deliveryChannels({ ...slack, slack_alerts_enabled: 0, slack_alert_on_success: 1 }, 'success')).toEqual([]);
    expect(deliveryChannels({ ...slack, slack_alerts_enabled: 0 }, 'failure')).toEqual([]);
    expect(deliveryChannels({ ...slack, slack_channel: '' }, 'failure')).toEqual([]);
    expect(deliveryChannels(slack, 'started')).toEqual([]);
  });

  it('links to the run with its id escaped', () => {
    expect(runLink('https://app.example.com/runs/{run_id}', 'run_1')).toBe('https://app.example.com/runs/run_1');
    expect(runLink('https://x/{run_id}?r={run_id}', 'a/b')).toBe('https://x/a%2Fb?r=a%2Fb');
  });
});
