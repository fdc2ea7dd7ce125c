/**
 * Runs `pass` again `delayMs()` after the previous pass ended, until stopped. A failing pass is
 * handed to `onError` and the next one still comes; the timer never keeps the process alive.
 * The control plane's scheduler, lease sweeper and Kubernetes reconciler and the notifier's
 * dispatcher loop this way.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly delayMs: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(firstDelayMs = this.delayMs()): void {
    this.stopped = false;
    this.schedule(firstDelayMs);
  }

  /** No further pass starts; resolves once the one under way (if any) ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .then(() => undefined, this.onError)
        .finally(() => this.schedule(this.delayMs()));
    }, delayMs);
    this.timer.unref();
  }
}
