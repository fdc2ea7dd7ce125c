import { setTimeout as sleep } from 'node:timers/promises';

/** A run a control write created, and the log lines acknowledged for it. */
interface ControlRun {
  id: string;
  lines: string[];
}

const MAX_ATTEMPTS = 40;
/** Under the 500-line cap, so no acknowledged line can be dropped by it. */
const LINES_PER_RUN = 400;

/**
 * Valid writes with known content, sent one at a time between the hostile requests, in an
 * organisation no hostile request can reach. Retries of 429/503/no answer reuse the
 * Idempotency-Key, so each acknowledged write must be visible exactly once.
 */
export class ControlWrites {
  readonly problems: string[] = [];
  private readonly runs: ControlRun[] = [];
  private readonly executions: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private count = 0;
  acknowledged = 0;
  retries = 0;

  constructor(
    private readonly ingestUrl: string,
    private readonly queryUrl: string,
    private readonly token: string,
    readonly project: string,
    private readonly tag: string,
  ) {}

  /** Queues the next write; they run in order beside the hostile traffic. */
  enqueue(): void {
    const n = this.count++;
    this.chain = this.chain.then(() => this.write(n));
  }

  settle(): Promise<void> {
    return this.chain;
  }

  private async write(n: number): Promise<void> {
    const run = this.runs[n % Math.max(1, this.runs.length)];
    if (this.runs.length < 3 || n % 5 === 0 || run.lines.length >= LINES_PER_RUN) {
      const created = await this.send('POST', '/api/elt/runs', { projectId: this.project, jobName: `control-${n}`, cronjobName: 'control' }, n);
      if (created) this.runs.push({ id: (created as { id: string }).id, lines: [] });
    } else if (n % 5 === 1 || n % 5 === 3) {
      const message = `control ${this.tag} line ${n}`;
      if (await this.send('PATCH', `/api/elt/runs/${run.id}`, { appendLog: { level: 'info', message } }, n)) run.lines.push(message);
    } else {
      const names = [0, 1].map((j) => `control.${this.tag}.m${n}_${j}`);
      const executions = names.map((model_name) => ({
        model_name,
        status: 'success',
        started_at: '2026-02-26T06:00:00Z',
        completed_at: '2026-02-26T06:00:01Z',
        rows_processed: n,
      }));
      if (await this.send('POST', `/api/elt/runs/${run.id}/model-executions`, { executions }, n)) this.executions.push(...names);
    }
  }

  /** The answer body once acknowledged (2xx); undefined (and a problem noted) when a valid write is refused or never answered. */
  private async send(method: string, path: string, body: unknown, n: number): Promise<unknown> {
    const key = `control-${this.tag}-${n}`;
    let last = '';
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (attempt > 0) this.retries++;
      try {
        const response = await fetch(`${this.ingestUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        if (response.ok) {
          this.acknowledged++;
          return JSON.parse(text) as unknown;
        }
        last = `${response.status} ${text.slice(0, 300)}`;
        if (response.status !== 429 && response.status !== 503) break;
        await sleep(Math.min(2_000, 1_000 * Number(response.headers.get('retry-after') ?? 1) || 250));
      } catch (error) {
        last = String(error);
        await sleep(250);
      }
    }
    this.problems.push(`valid control write ${method} ${path} (key ${key}) not acknowledged: ${last}`);
    return undefined;
  }

  /** A read of the check, waiting out 429 and 503 as their Retry-After says (a long run spends the token's request budget). */
  private async read<T>(path: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${this.queryUrl}${path}`, { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(30_000) });
      if (response.ok) return (await response.json()) as T;
      const retryAfter = response.headers.get('retry-after');
      if ((response.status !== 429 && response.status !== 503) || retryAfter === null || attempt === 30) {
        throw new Error(`GET ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
      }
      await response.arrayBuffer();
      await sleep(1_000 * Number(retryAfter));
    }
  }

  private async pages<T>(path: string, field: string): Promise<T[]> {
    const all: T[] = [];
    for (let page = 1; ; page++) {
      const body = await this.read<Record<string, unknown> & { total_pages: number }>(`${path}${path.includes('?') ? '&' : '?'}limit=500&page=${page}`);
      all.push(...(body[field] as T[]));
      if (page >= body.total_pages) return all;
    }
  }

  /** Each acknowledged write against what the read API shows: missing ones (not yet, or lost) and duplicates. */
  private async differences(): Promise<{ missing: string[]; duplicated: string[] }> {
    const missing: string[] = [];
    const duplicated: string[] = [];
    const compare = (what: string, expected: string[], seen: string[]): void => {
      const counts = new Map<string, number>();
      for (const value of seen) counts.set(value, (counts.get(value) ?? 0) + 1);
      for (const value of expected) {
        const times = counts.get(value) ?? 0;
        if (times === 0) missing.push(`${what} ${value}`);
        else if (times > 1) duplicated.push(`${what} ${value} (×${times})`);
      }
    };
    const runs = await this.pages<{ id: string }>(`/api/v1/projects/${this.project}/runs?include_stats=false`, 'runs');
    compare(
      'run',
      this.runs.map((r) => r.id),
      runs.map((r) => r.id),
    );
    for (const run of this.runs) {
      const { logs } = await this.read<{ logs: { message: string }[] }>(`/api/v1/runs/${run.id}/logs`).catch(() => ({ logs: [] }));
      compare(
        `log line of ${run.id}:`,
        run.lines,
        logs.map((l) => l.message),
      );
    }
    const executions = await this.pages<{ model_name: string }>(`/api/v1/projects/${this.project}/model-executions`, 'executions');
    compare(
      'execution',
      this.executions,
      executions.map((e) => e.model_name),
    );
    return { missing, duplicated };
  }

  /** Waits (up to `timeoutMs`) for every acknowledged write to be visible, then reports what is missing or duplicated. */
  async verify(timeoutMs: number): Promise<{ runs: number; lines: number; executions: number; problems: string[] }> {
    const deadline = Date.now() + timeoutMs;
    let result = await this.differences();
    while (result.missing.length > 0 && Date.now() < deadline) {
      await sleep(500);
      result = await this.differences();
    }
    const list = (label: string, items: string[]): string[] => (items.length ? [`${label} (${items.length}): ${items.slice(0, 10).join('; ')}`] : []);
    return {
      runs: this.runs.length,
      lines: this.runs.reduce((sum, r) => sum + r.lines.length, 0),
      executions: this.executions.length,
      problems: [
        ...this.problems,
        ...list('acknowledged control writes never visible', result.missing),
        ...list('acknowledged control writes visible more than once', result.duplicated),
      ],
    };
  }
}
