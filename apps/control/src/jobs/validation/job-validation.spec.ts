import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { JOB_SPEC_DEFAULTS } from '@runstream/events';
import { createValidationPipe } from '@runstream/http';
import { CreateJobDto, TriggerJobDto, UpdateJobDto } from '../dto/job-body.dto';
import { jobRuleProblems } from './job-rules';

const pipe = createValidationPipe();
const valid = { name: 'nightly-refresh', command: "sqlmesh run --select-model '*'", schedule: '0 2 * * *' };

async function fieldsRefused(metatype: ArgumentMetadata['metatype'], body: unknown): Promise<string[]> {
  try {
    await pipe.transform(body, { type: 'body', metatype });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const answer = (error as BadRequestException).getResponse() as { statusCode: number; errors: { field: string }[]; message: string };
    expect(answer.statusCode).toBe(400);
    return answer.errors.map((e) => e.field);
  }
}

describe('job body validation: every 400 names its field', () => {
  it('accepts the reference example and every optional field', async () => {
    const full = {
      ...valid,
      description: 'Full model refresh at 2 AM',
      timezone: 'Europe/Berlin',
      enabled: true,
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      environment: { DBT_TARGET: 'prod' },
      slack_channel: '#data-alerts',
      slack_alerts_enabled: true,
      slack_alert_on_success: false,
      webhook_url: '',
      webhook_headers: {},
      webhook_events: [],
      webhook_enabled: false,
    };
    expect(await fieldsRefused(CreateJobDto, full)).toEqual([]);
    expect(await fieldsRefused(UpdateJobDto, {})).toEqual([]);
    expect(await fieldsRefused(TriggerJobDto, {})).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['name', { name: undefined }],
    ['name', { name: '' }],
    ['name', { name: 'a'.repeat(64) }],
    ['name', { name: 'Nightly' }],
    ['name', { name: 'nightly_refresh' }],
    ['name', { name: '-nightly' }],
    ['name', { name: 'nightly-' }],
    ['name', { name: 42 }],
    ['name', { name: null }],
    ['command', { command: undefined }],
    ['command', { command: '' }],
    ['command', { command: 'dbt build; rm -rf /' }],
    ['command', { command: 'dbt build && dbt test' }],
    ['command', { command: 'dbt build || true' }],
    ['command', { command: 'dbt build | tee log' }],
    ['command', { command: 'dbt run --vars `id`' }],
    ['command', { command: 'dbt run --vars $(id)' }],
    ['command', { command: 'dbt run --vars ${HOME}' }],
    ['command', { command: 'dbt build > out.txt' }],
    ['command', { command: 'dbt build < in.txt' }],
    ['command', { command: 'dbt build\ndbt test' }],
    ['command', { command: "dbt run --select 'a;b'" }],
    ['command', { command: 'dbt build &' }],
    ['command', { command: 'dbt build # nightly' }],
    ['command', { command: 'dbt run --select "unclosed' }],
    ['command', { command: 'python run.py' }],
    ['command', { command: 'dbt' }],
    ['command', { command: 'dbt frobnicate' }],
    ['command', { command: 'dbt source' }],
    ['command', { command: 'dbt docs serve' }],
    ['command', { command: 'x'.repeat(4097) }],
    ['command', { command: `dbt run ${'a '.repeat(300)}` }],
    ['schedule', { schedule: undefined }],
    ['schedule', { schedule: '0 2 * *' }],
    ['schedule', { schedule: '0 0 2 * * *' }],
    ['schedule', { schedule: '61 * * * *' }],
    ['schedule', { schedule: '0 0 L * *' }],
    ['schedule', { schedule: '0 0 * * 5#2' }],
    ['schedule', { schedule: '@reboot' }],
    ['schedule', { schedule: 'every day' }],
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['timezone', { timezone: '' }],
    ['description', { description: 'x'.repeat(1025) }],
    ['enabled', { enabled: 'yes' }],
    ['resources', { resources: { gpus: { count: '1' } } }],
    ['resources', { resources: { limits: { cpu: 'two' } } }],
    ['resources', { resources: { limits: { disk: '1Gi' } } }],
    ['resources', { resources: 'big' }],
    ['environment', { environment: { 'NOT-A-NAME': 'x' } }],
    ['environment', { environment: { A: 1 } }],
    ['environment', { environment: { A: 'x'.repeat(4097) } }],
    ['environment', { environment: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, 'x'])) }],
    ['environment', { environment: ['A=1'] }],
    ['environment', { environment: { TOKEN: 'hunter2\u0000' } }],
    ['environment', { environment: null }],
    ['slack_channel', { slack_channel: '# data alerts' }],
    ['slack_alerts_enabled', { slack_alerts_enabled: 1 }],
    ['slack_alert_on_success', { slack_alert_on_success: 'false' }],
    ['webhook_url', { command: 'dbt build', webhook_url: 'ftp://example.com' }],
    ['webhook_url', { command: 'dbt build', webhook_url: 'not a url' }],
    ['webhook_headers', { command: 'dbt build', webhook_headers: { 'Bad Header': 'x' } }],
    ['webhook_headers', { command: 'dbt build', webhook_headers: { 'X-Note': 'one\r\nX-Injected: two' } }],
    ['webhook_headers', { command: 'dbt build', webhook_headers: { 'X-Price': '€5' } }],
    ['webhook_events', { command: 'dbt build', webhook_events: ['sometimes'] }],
    ['webhook_events', { command: 'dbt build', webhook_events: 'success' }],
    ['webhook_enabled', { command: 'dbt build', webhook_enabled: 'true' }],
    ['unknown_field', { unknown_field: 1 }],
  ])('create refuses %s (case %#)', async (field, change) => {
    expect(await fieldsRefused(CreateJobDto, { ...valid, ...change })).toContain(field);
  });

  it('says which entry of a field is wrong, after the field name', async () => {
    const messageFor = async (body: Record<string, unknown>) => {
      const error = await pipe
        .transform({ ...valid, command: 'dbt build', ...body }, { type: 'body', metatype: CreateJobDto })
        .catch((caught: unknown) => caught);
      return ((error as BadRequestException).getResponse() as { message: string }).message;
    };
    expect(await messageFor({ webhook_events: ['success', 'sometimes'] })).toMatch(
      /^webhook_events: webhook_events\[1\]: invalid option: expected one of "started"\|"success"\|"failure"\|"cancelled"$/,
    );
    expect(await messageFor({ environment: { A: 1 } })).toMatch(/^environment: environment\.A: invalid input: expected string, received number$/);
  });

  it('accepts webhook header values Node sends: tabs, spaces, printable ASCII and Latin-1', async () => {
    const headers = { Authorization: 'Bearer abc.DEF-123', 'X-Note': 'caf\u00e9\tau lait ~!' };
    expect(await fieldsRefused(CreateJobDto, { ...valid, command: 'dbt build', webhook_headers: headers })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['name', { name: 'Bad Name' }],
    ['command', { command: 'dbt build | cat' }],
    ['schedule', { schedule: '* * *' }],
    ['enabled', { enabled: null }],
    ['id', { id: 'job_x' }],
  ])('update refuses %s (case %#)', async (field, body) => {
    expect(await fieldsRefused(UpdateJobDto, body)).toContain(field);
  });

  it.each<[string, Record<string, unknown>]>([
    ['command_override', { command_override: 'sqlmesh run' }],
    ['command_override', { command_override: 'dbt build; echo' }],
    ['command_override', { command_override: '' }],
    ['command', { command: 'dbt build' }],
  ])('trigger refuses %s (case %#)', async (field, body) => {
    expect(await fieldsRefused(TriggerJobDto, body)).toContain(field);
  });

  it('refuses every dbt-only field a SQLMesh job would keep set, and none on a dbt job', () => {
    const sqlmesh = { ...JOB_SPEC_DEFAULTS, ...valid };
    expect(jobRuleProblems(sqlmesh)).toEqual([]);
    const webhooks = { webhook_url: 'https://example.com/hook', webhook_headers: { A: 'b' }, webhook_events: ['success' as const], webhook_enabled: true };
    expect(jobRuleProblems({ ...sqlmesh, ...webhooks }).map((p) => p.field)).toEqual(['webhook_url', 'webhook_headers', 'webhook_events', 'webhook_enabled']);
    expect(jobRuleProblems({ ...sqlmesh, ...webhooks, command: 'dbt build' })).toEqual([]);
  });
});
