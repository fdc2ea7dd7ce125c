import { readFileSync } from 'node:fs';
import { isWellFormed } from '@runstream/events';
import { buildChildEnv, Execution, LineSplitter } from './execution';
import { outcomeOf, Tail } from './outcome';

describe('buildChildEnv', () => {
  const agentEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/agent',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    RUNSTREAM_GATEWAY_TOKEN: 'rst_secret',
    RUNSTREAM_GATEWAY_TOKEN_FILE: '/tokens.json',
    AGENT_CONCURRENCY: '2',
    AWS_SECRET_ACCESS_KEY: 'from-the-agent-host',
    DBT_PROFILES_DIR: '/profiles',
  };

  it('passes the basic names, never the agent settings or other variables', () => {
    const env = buildChildEnv(agentEnv, {}, { runId: 'run_1' });
    expect(env).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/agent', LANG: 'C.UTF-8', TZ: 'UTC', RUNSTREAM_RUN_ID: 'run_1' });
  });

  it('puts AGENT_PATH first, adds AGENT_INHERIT_ENV names, and the job environment wins', () => {
    const env = buildChildEnv(
      agentEnv,
      { TZ: 'Europe/Paris', DBT_TARGET: 'prod' },
      { runId: 'run_1', extraPath: '/opt/venv/bin', inheritEnv: ['DBT_PROFILES_DIR', 'RUNSTREAM_GATEWAY_TOKEN'] },
    );
    expect(env.PATH).toBe('/opt/venv/bin:/usr/bin:/bin');
    expect(env.DBT_PROFILES_DIR).toBe('/profiles');
    expect(env.TZ).toBe('Europe/Paris');
    expect(env.DBT_TARGET).toBe('prod');
    expect(env.RUNSTREAM_GATEWAY_TOKEN).toBeUndefined();
  });

  it("keeps the run's own RUNSTREAM_RUN_ID whatever the job's environment says", () => {
    expect(buildChildEnv(agentEnv, { RUNSTREAM_RUN_ID: 'run_other' }, { runId: 'run_1' }).RUNSTREAM_RUN_ID).toBe('run_1');
  });

  it('uses AGENT_PATH alone when the agent has no PATH', () => {
    expect(buildChildEnv({}, {}, { runId: 'r', extraPath: '/bin' }).PATH).toBe('/bin');
  });
});

describe('LineSplitter', () => {
  function split(chunks: (string | Buffer)[], max?: number): string[] {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), max);
    for (const chunk of chunks) splitter.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    splitter.end();
    return lines;
  }

  it('splits on \\n, \\r\\n and \\r across chunks and keeps a last line without newline', () => {
    expect(split(['a\nb', 'c\r', '\nd\re\n', 'tail'])).toEqual(['a', 'bc', 'd', 'e', 'tail']);
  });

  it('decodes UTF-8 characters cut between chunks', () => {
    const bytes = Buffer.from('héllo 😀\n');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 8), bytes.subarray(8)])).toEqual(['héllo 😀']);
  });

  it('cuts a line longer than the limit so memory stays bounded', () => {
    expect(split(['x'.repeat(25), 'y\n'], 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'xxxxxy']);
  });

  it('never cuts between the halves of a surrogate pair (ingest refuses half a pair)', () => {
    const lines = split(['a'.repeat(9) + '😀' + 'tail', '\n'], 10);
    expect(lines).toEqual(['a'.repeat(9), '😀tail']);
    expect(lines.every(isWellFormed)).toBe(true);
  });
});

describe('outcomeOf', () => {
  it('maps exit codes, signals and spawn failures to a status and a clear summary', () => {
    expect(outcomeOf({ kind: 'exited', code: 0 }, 'dbt', '/bin', '', undefined)).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(outcomeOf({ kind: 'exited', code: 3 }, 'dbt', '/bin', 'Database Error', undefined)).toEqual({
      status: 'failed',
      exitCode: 3,
      errorSummary: 'exited with code 3\nDatabase Error',
    });
    expect(outcomeOf({ kind: 'signalled', signal: 'SIGKILL' }, 'dbt', '/bin', '', undefined)).toEqual({
      status: 'failed',
      errorSummary: 'killed by signal SIGKILL',
    });
    expect(outcomeOf({ kind: 'spawn-failed', code: 'ENOENT', message: 'spawn dbt ENOENT' }, 'dbt', '/opt/bin:/bin', '', undefined).errorSummary).toBe(
      "dbt: command not found on the agent's PATH (/opt/bin:/bin); install it there or set AGENT_PATH",
    );
    // In a Kubernetes pod, the runner looked on its image's PATH.
    expect(outcomeOf({ kind: 'spawn-failed', code: 'ENOENT', message: 'spawn dbt ENOENT' }, 'dbt', '/usr/bin', '', undefined, 'runner').errorSummary).toBe(
      "dbt: command not found on the runner image's PATH (/usr/bin); install it in the image",
    );
    expect(outcomeOf({ kind: 'exited', code: 143 }, 'dbt', '/bin', '', 'agent stopped')).toEqual({ status: 'cancelled', errorSummary: 'agent stopped' });
  });
});

describe('Tail', () => {
  it('keeps the last lines within the limit', () => {
    const tail = new Tail(10);
    for (const line of ['first', '', 'second', 'third']) tail.push(line);
    expect(tail.text()).toBe('third');
    tail.push('x'.repeat(30));
    expect(tail.text()).toBe('x'.repeat(10));
    const roomy = new Tail(100);
    ['a', 'b'].forEach((l) => roomy.push(l));
    expect(roomy.text()).toBe('a\nb');
  });

  it('never keeps half of a character cut at the limit', () => {
    const tail = new Tail(5);
    tail.push(`x${'😀'.repeat(3)}y`);
    expect(tail.text()).toBe('😀😀y');
  });
});

describe('Execution', () => {
  it('ends as a spawn failure, without the offending value, when the environment cannot be given to a process', async () => {
    const execution = new Execution(['true'], { PATH: '/usr/bin:/bin', TOKEN: 'hunter2\u0000' }, { onSpawn: () => undefined, onLine: () => undefined });
    const result = await execution.done;
    expect(result).toMatchObject({ kind: 'spawn-failed', code: 'ERR_INVALID_ARG_VALUE' });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  /**
   * Starts `script`, waits for its "worker <pid>" line; `alive()` tells whether that worker still
   * runs (running or sleeping; a zombie, killed and not yet reaped by whatever adopted it, counts as gone).
   */
  async function withWorker(script: string): Promise<{ execution: Execution; alive: () => boolean }> {
    const lines: string[] = [];
    const execution = new Execution(['sh', '-c', script], { PATH: '/usr/bin:/bin' }, { onSpawn: () => undefined, onLine: (_stream, line) => lines.push(line) });
    while (!lines.some((line) => line.startsWith('worker '))) await new Promise((resolve) => setTimeout(resolve, 20));
    const worker = Number(lines.find((line) => line.startsWith('worker '))?.slice('worker '.length));
    const alive = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${worker}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    return { execution, alive };
  }

  /** Waits (up to 2 s) for `alive` to turn false. */
  async function gone(alive: () => boolean): Promise<boolean> {
    for (let i = 0; i < 100 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return !alive();
  }

  it('kills what is left of the process group once the grace is over, though the main process exited at SIGTERM', async () => {
    // The main shell exits at SIGTERM; the worker it started ignores SIGTERM and would sleep on.
    const { execution, alive } = await withWorker('(trap "" TERM; exec sleep 30) & echo "worker $!"; trap "exit 0" TERM; wait');
    expect(alive()).toBe(true);
    await execution.terminate(300);
    expect(await gone(alive)).toBe(true);
  });

  it('kills what the program left behind in its group when it exits on its own: the run is over', async () => {
    const { execution, alive } = await withWorker('(exec sleep 30 >/dev/null 2>&1) & echo "worker $!"; sleep 0.3; exit 0');
    expect(alive()).toBe(true);
    expect(await execution.done).toEqual({ kind: 'exited', code: 0 });
    expect(await gone(alive)).toBe(true);
  });

  it('kill() SIGKILLs the whole group at once, for an agent that must exit now', async () => {
    const { execution, alive } = await withWorker('(trap "" TERM; exec sleep 30) & echo "worker $!"; trap "" TERM; wait');
    execution.kill();
    expect(await execution.done).toEqual({ kind: 'signalled', signal: 'SIGKILL' });
    expect(await gone(alive)).toBe(true);
  });
});
