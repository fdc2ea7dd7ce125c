import { ChildProcess, spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { truncateText } from '@runstream/events';
import { MAX_MESSAGE_CHARS } from './log-batch';

/**
 * What a child inherits from the agent: enough for a program to find itself, its home and
 * locale, and the proxy and certificate settings of the host. Never the agent's own settings
 * (RUNSTREAM_*, AGENT_*): the gateway token stays in the agent. The job's environment comes on
 * top, and AGENT_INHERIT_ENV adds names.
 */
export const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'VIRTUAL_ENV',
];

export interface ChildEnvOptions {
  extraPath?: string;
  inheritEnv?: readonly string[];
  runId: string;
}

/** The child's environment: the inherited names, AGENT_PATH before PATH, RUNSTREAM_RUN_ID, then the job's environment. */
export function buildChildEnv(agentEnv: NodeJS.ProcessEnv, jobEnv: Record<string, string>, options: ChildEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED_ENV, ...(options.inheritEnv ?? [])]) {
    if (/^(RUNSTREAM_|AGENT_)/.test(name)) continue;
    const value = agentEnv[name];
    if (value !== undefined) env[name] = value;
  }
  if (options.extraPath) env.PATH = env.PATH ? `${options.extraPath}${delimiter}${env.PATH}` : options.extraPath;
  // The run's own id last: a job's environment cannot make its program report under another run.
  return { ...env, ...jobEnv, RUNSTREAM_RUN_ID: options.runId };
}

export type ExecutionResult =
  { kind: 'exited'; code: number } | { kind: 'signalled'; signal: string } | { kind: 'spawn-failed'; code: string; message: string };

export interface ExecutionCallbacks {
  onSpawn(at: Date): void;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
}

/** Splits a byte stream into lines; a line longer than one log message is cut so memory stays bounded. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxLine: number = MAX_MESSAGE_CHARS,
  ) {}

  write(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  end(): void {
    this.take(this.decoder.end());
    if (this.partial !== '') this.emit(this.partial);
    this.partial = '';
  }

  private take(text: string): void {
    const parts = (this.partial + text).split(/\r?\n|\r(?!$)/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.emit(line);
    while (this.partial.length > this.maxLine) {
      // Never between the two halves of a surrogate pair: ingest refuses half a pair.
      const piece = truncateText(this.partial, this.maxLine);
      this.emit(piece);
      this.partial = this.partial.slice(piece.length);
    }
  }
}

/** How long after the child exits its pipes may stay open (a grandchild holding them) before they are cut. */
const PIPE_DRAIN_MS = 2_000;

/**
 * One argv run as a child process, without a shell, in its own process group so that
 * terminate() reaches the programs it starts too (dbt's adapters, sqlmesh's workers).
 */
export class Execution {
  readonly done: Promise<ExecutionResult>;
  private child?: ChildProcess;
  private exited = false;

  constructor(argv: readonly string[], env: Record<string, string>, callbacks: ExecutionCallbacks) {
    this.done = new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(argv[0], argv.slice(1), { shell: false, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      } catch (error) {
        // Refused before any process (a NUL in an argument or the environment). Node's message
        // quotes the offending value, which may be a secret, so it is not passed on.
        resolve({
          kind: 'spawn-failed',
          code: (error as NodeJS.ErrnoException).code ?? 'UNKNOWN',
          message: 'the command or its environment cannot be given to a process',
        });
        return;
      }
      this.child = child;
      const stdout = new LineSplitter((line) => callbacks.onLine('stdout', line));
      const stderr = new LineSplitter((line) => callbacks.onLine('stderr', line));
      // A pipe error (the program closed it oddly) only ends that stream; it must not crash the agent.
      child.stdout?.on('error', () => undefined);
      child.stderr?.on('error', () => undefined);
      child.stdout?.on('data', (chunk: Buffer) => stdout.write(chunk));
      child.stderr?.on('data', (chunk: Buffer) => stderr.write(chunk));
      child.once('spawn', () => callbacks.onSpawn(new Date()));
      child.on('error', (error: NodeJS.ErrnoException) => {
        // 'error' without a pid: the program never started (ENOENT, EACCES).
        if (child.pid === undefined) resolve({ kind: 'spawn-failed', code: error.code ?? 'UNKNOWN', message: error.message });
      });
      child.once('exit', (code, signal) => {
        this.exited = true;
        const result: ExecutionResult = signal ? { kind: 'signalled', signal } : { kind: 'exited', code: code ?? 0 };
        let finished = false;
        const finish = (): void => {
          if (finished) return;
          finished = true;
          clearTimeout(cut);
          stdout.end();
          stderr.end();
          // The run is over: a process the program left behind in its group would outlive it unseen.
          if (child.pid !== undefined && groupAlive(child.pid)) this.signal(child.pid, 'SIGKILL');
          resolve(result);
        };
        const cut = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish();
        }, PIPE_DRAIN_MS);
        child.once('close', finish);
      });
    });
  }

  /**
   * SIGTERM to the process group, SIGKILL after `graceMs` to whatever of the group is left (a
   * worker the program started may ignore SIGTERM and outlive it); resolves when the child has exited.
   */
  async terminate(graceMs: number): Promise<void> {
    const pid = this.child?.pid;
    // After the program exited, what it started may still run in its group: that is stopped too.
    if (pid === undefined || (this.exited && !groupAlive(pid))) return;
    const started = Date.now();
    this.signal(pid, 'SIGTERM');
    let graceOver: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise<void>((resolve) => (graceOver = setTimeout(resolve, graceMs)))]);
    clearTimeout(graceOver);
    if (groupAlive(pid)) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, graceMs - (Date.now() - started))));
      this.signal(pid, 'SIGKILL');
    }
    await this.done;
  }

  /** SIGKILL to the whole process group at once, without waiting: for an agent that must exit now. */
  kill(): void {
    const pid = this.child?.pid;
    if (pid !== undefined && (!this.exited || groupAlive(pid))) this.signal(pid, 'SIGKILL');
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      if (!this.exited) this.child?.kill(signal); // the group is gone; the child itself may not be
    }
  }
}

/** Whether any process of the group `pid` leads is still there (signal 0 checks without sending). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
