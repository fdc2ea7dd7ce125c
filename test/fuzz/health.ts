import { Agent, get } from 'node:http';

export interface HealthReport {
  probes: number;
  /** Probes without a 200 within the deadline: when, which app, what happened. */
  failures: { atMs: number; url: string; problem: string }[];
  slowestMs: number;
}

/**
 * Probes GET /health on every app (the materializer's too: it turns 503 when events keep failing) every `everyMs`, each probe on a fresh connection with its
 * own deadline: the liveness bound the issue asks for (the one time-based check of the suite).
 */
export class HealthProbe {
  private readonly report: HealthReport = { probes: 0, failures: [], slowestMs: 0 };
  private readonly started = performance.now();
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly agent = new Agent({ keepAlive: false });

  constructor(
    private readonly baseUrls: string[],
    private readonly deadlineMs: number,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      for (const base of this.baseUrls) {
        const probe = this.probe(`${base}/health`);
        this.inFlight.add(probe);
        void probe.finally(() => this.inFlight.delete(probe));
      }
    }, this.everyMs);
  }

  async stop(): Promise<HealthReport> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
    this.agent.destroy();
    return this.report;
  }

  private probe(url: string): Promise<void> {
    const begun = performance.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (problem?: string): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const ms = performance.now() - begun;
        this.report.probes++;
        this.report.slowestMs = Math.max(this.report.slowestMs, ms);
        if (problem) this.report.failures.push({ atMs: Math.round(begun - this.started), url, problem });
        resolve();
      };
      const req = get(url, { agent: this.agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => finish(res.statusCode === 200 ? undefined : `answered ${res.statusCode} ${body.slice(0, 300)}`));
      });
      const timer = setTimeout(() => {
        finish(`no answer within ${this.deadlineMs} ms`);
        req.destroy();
      }, this.deadlineMs);
      req.on('error', (e) => finish(e.message));
    });
  }
}
