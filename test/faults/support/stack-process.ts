import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isolatedEnv, REPO_ROOT } from '@runstream/testing';
import { freePort } from './ports';

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * The whole stack as `npm start` runs it with embedded chDB: one process (dist/scripts/local.js)
 * holding ingest, materializer, query, control, the notifier and the agent, because chDB binds its data directory to a single
 * process. Ports and the data directory stay fixed across restarts, so clients retry the same
 * URL and a restart reopens the same data. Needs `npm run build` first.
 */
interface Ports {
  ingest: number;
  query: number;
  metrics: number;
  control: number;
  notifierMetrics: number;
}

async function freePorts(): Promise<Ports> {
  return { ingest: await freePort(), query: await freePort(), metrics: await freePort(), control: await freePort(), notifierMetrics: await freePort() };
}

export class StackProcess {
  /** Starts so far: attempts record it to tell which process answered (ledger.inDoubt). */
  incarnation = 0;
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    private ports: Ports,
  ) {}

  static async create(name: string, overrides: NodeJS.ProcessEnv): Promise<StackProcess> {
    const dir = mkdtempSync(join(tmpdir(), `runstream-faults-${name}-`));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...isolatedEnv(name),
      CLICKHOUSE_PATH: join(dir, 'chdb'),
      TZ: 'UTC',
      ...overrides,
    };
    // Embedded chDB always: with CLICKHOUSE_URL, local.js would run each app as its own child.
    delete env.CLICKHOUSE_URL;
    const stack = new StackProcess(dir, env, await freePorts());
    stack.usePorts(stack.ports);
    return stack;
  }

  private usePorts(ports: Ports): void {
    this.ports = ports;
    Object.assign(this.env, {
      PORT: String(ports.ingest),
      QUERY_PORT: String(ports.query),
      MATERIALIZER_METRICS_PORT: String(ports.metrics),
      CONTROL_PORT: String(ports.control),
      NOTIFIER_METRICS_PORT: String(ports.notifierMetrics),
    });
  }

  get ingestUrl(): string {
    return `http://127.0.0.1:${this.ports.ingest}`;
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.ports.query}`;
  }

  get controlUrl(): string {
    return `http://127.0.0.1:${this.ports.control}`;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.ports.metrics}/metrics`;
  }

  get notifierMetricsUrl(): string {
    return `http://127.0.0.1:${this.ports.notifierMetrics}/metrics`;
  }

  private get logFile(): string {
    return join(this.dir, 'stack.log');
  }

  /** local.js writes the tokens of org `local` next to the chDB directory on its first start. */
  userToken(): string {
    return (JSON.parse(readFileSync(join(this.dir, 'local-tokens.json'), 'utf8')) as { user: { token: string } }).user.token;
  }

  running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the process and waits until its apps answer. At the first start only, a port another
   * test's process took between the check and the bind (EADDRINUSE) is traded for fresh ones; a
   * restart keeps its ports, which its clients retry.
   */
  async start(timeoutMs = 60_000): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.startOnce(timeoutMs);
      } catch (error) {
        if (this.incarnation > 1 || attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
        this.incarnation = 0;
        this.usePorts(await freePorts());
      }
    }
  }

  private async startOnce(timeoutMs: number): Promise<void> {
    if (this.running()) throw new Error('stack process already running');
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'scripts', 'local.js')], { env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    this.incarnation += 1;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running()) throw new Error(`stack process exited during start (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`);
      const tokens = existsSync(join(this.dir, 'local-tokens.json'));
      if (
        tokens &&
        (await answers(`${this.ingestUrl}/health`)) &&
        (await answers(`${this.queryUrl}/health`)) &&
        (await answers(this.metricsUrl)) &&
        (await answers(`${this.controlUrl}/health`))
      )
        return;
      if (Date.now() > deadline) throw new Error(`stack process not ready after ${timeoutMs} ms:\n${this.logTail()}`);
      await sleep(100);
    }
  }

  /** Sends `signal` and waits for the exit; returns the exit code or signal. */
  async signal(signal: 'SIGKILL' | 'SIGTERM', timeoutMs = 60_000): Promise<string> {
    const child = this.child;
    if (!child || !this.running()) throw new Error('stack process not running');
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<string>((resolve) => child.once('exit', (code, sig) => resolve(String(code ?? sig))));
    const timedOut = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    child.kill(signal);
    // The timer is cleared: a pending one would keep jest alive after the run.
    const result = await Promise.race([exited, timedOut]).finally(() => clearTimeout(timer));
    if (result === 'timeout') throw new Error(`stack process did not exit within ${timeoutMs} ms of ${signal}:\n${this.logTail()}`);
    return result;
  }

  logTail(lines = 40): string {
    if (!existsSync(this.logFile)) return '(no log)';
    // The apps log with colour codes; strip them for the test report.
    return (
      readFileSync(this.logFile, 'utf8')
        // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .slice(-lines)
        .join('\n')
    );
  }

  /** Stops the process if it runs (SIGTERM, then SIGKILL) and removes its data directory. */
  async close(): Promise<void> {
    if (this.running()) {
      await this.signal('SIGTERM', 30_000).catch(() => (this.running() ? this.signal('SIGKILL') : undefined));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
