import { commandTool, DBT_SUBCOMMANDS, parseCommand } from './command';
import { scheduleProblem, timezoneProblem } from './schedule';

describe('parseCommand: argv without a shell', () => {
  it.each<[string, string[]]>([
    ["sqlmesh run --select-model '*'", ['sqlmesh', 'run', '--select-model', '*']],
    ['dbt run --select models/core', ['dbt', 'run', '--select', 'models/core']],
    ['dbt run --vars "{\'a\': 1}"', ['dbt', 'run', '--vars', "{'a': 1}"]],
    ['dbt run --select a\\ b', ['dbt', 'run', '--select', 'a b']],
    ['  dbt   source freshness  ', ['dbt', 'source', 'freshness']],
    ['dbt docs generate', ['dbt', 'docs', 'generate']],
    ['dbt run --select *', ['dbt', 'run', '--select', '*']],
    ['dbt run --target $TARGET', ['dbt', 'run', '--target', '$TARGET']],
    ['sqlmesh', ['sqlmesh']],
  ])('%s', (command, argv) => {
    expect(parseCommand(command)).toEqual({ ok: true, argv, tool: argv[0] });
  });

  it('allows every listed dbt subcommand and refuses sqlmesh when only dbt is allowed', () => {
    for (const sub of DBT_SUBCOMMANDS) expect(parseCommand(`dbt ${sub}`)).toMatchObject({ ok: true });
    expect(parseCommand('sqlmesh run', true)).toEqual({ ok: false, reason: 'must be a dbt command (start with dbt)' });
    expect(commandTool('dbt build')).toBe('dbt');
    expect(commandTool('sqlmesh plan')).toBe('sqlmesh');
    expect(commandTool('python x')).toBeUndefined();
    // The tool the executor runs, quotes and all: the dbt-only rules follow it, not the raw text.
    expect(commandTool("'dbt' build")).toBe('dbt');
    expect(commandTool('"sqlmesh" plan')).toBe('sqlmesh');
  });

  it('names the metacharacter it refuses, inside quotes too', () => {
    expect(parseCommand("dbt run --select 'a|b'")).toEqual({
      ok: false,
      reason: 'must not contain shell metacharacters (|): the command runs without a shell',
    });
    expect(parseCommand('dbt run\n')).toMatchObject({ reason: expect.stringContaining('newline') });
    expect(parseCommand('dbt run `x`')).toMatchObject({ reason: expect.stringContaining('backtick') });
    expect(parseCommand("dbt run --select $'a\\x7cb'")).toMatchObject({ ok: false, reason: expect.stringContaining("$'") });
  });

  it("passes a SQLMesh selector's quoted operators on as text, and refuses them unquoted", () => {
    expect(parseCommand(`sqlmesh plan --select-model "tag:a | (tag:b & ^tag:c)" --restate-model 'x;y>z<w||v&&u'`)).toEqual({
      ok: true,
      tool: 'sqlmesh',
      argv: ['sqlmesh', 'plan', '--select-model', 'tag:a | (tag:b & ^tag:c)', '--restate-model', 'x;y>z<w||v&&u'],
    });
    for (const [command, op] of [
      ['sqlmesh run; rm -rf /', ';'],
      ['sqlmesh run && echo', '&&'],
      ['sqlmesh run | tee log', '|'],
      ['sqlmesh run > out', '>'],
      ['sqlmesh run &', '&'],
    ]) {
      expect(parseCommand(command)).toEqual({ ok: false, reason: `must not contain shell metacharacters (${op})` });
    }
    for (const [command, name] of [
      ['sqlmesh run "`x`"', 'backtick'],
      ['sqlmesh run "$(x)"', '$('],
      ["sqlmesh run '${X}'", '${'],
      ['sqlmesh run "a\nb"', 'newline'],
      ["sqlmesh run $'a\\nb'", "$'"],
    ]) {
      expect(parseCommand(command)).toMatchObject({ ok: false, reason: expect.stringContaining(name) });
    }
  });
});

describe('schedules and time zones', () => {
  it.each([
    '0 2 * * *',
    '*/5 * * * *',
    '@daily',
    '@midnight',
    '@hourly',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '0 0 ? * MON',
    '0 9 * JAN-MAR MON-FRI',
    '0 0 29 2 *',
    '0 0 * * 0,6',
    '0 0 * * SUN-SAT',
    '0 0 * * 1-5/2',
    '0 0 30 2,4 *',
  ])('accepts %s', (schedule) => {
    expect(scheduleProblem(schedule)).toBeUndefined();
  });

  it.each(['0 2 * *', '0 0 2 * * *', '61 * * * *', '0 0 L * *', '0 0 15W * *', '0 0 * * 5#2', '@reboot', '@every 5m', '0 0 * * MONDAY', 'a b c d e'])(
    'refuses %s',
    (schedule) => {
      expect(scheduleProblem(schedule)).toEqual(expect.any(String));
    },
  );

  it.each([
    ['@DAILY', 'write the macro exactly as @daily (lower case, no spaces around it)'],
    [' @hourly', 'write the macro exactly as @hourly (lower case, no spaces around it)'],
    ['@Weekly ', 'write the macro exactly as @weekly (lower case, no spaces around it)'],
    ['0 0 31 2 *', 'never fires: no date matches it'],
    ['0 0 * * 7', 'day-of-week takes 0-6 (Sunday is 0); 7 is not standard cron'],
    ['0 0 * * 5-7', 'day-of-week takes 0-6 (Sunday is 0); 7 is not standard cron'],
    ['0 0 * * MON-SUN', 'day-of-week range 1-0 ends before it starts (Sunday is 0: write 1-6,0 rather than MON-SUN)'],
  ])('refuses %s, which would not fire the same on Kubernetes or would never fire', (schedule, problem) => {
    expect(scheduleProblem(schedule)).toBe(problem);
  });

  it('knows IANA names', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeUndefined();
    expect(timezoneProblem('UTC')).toBeUndefined();
    expect(timezoneProblem('Nope/Nowhere')).toEqual(expect.any(String));
  });
});
