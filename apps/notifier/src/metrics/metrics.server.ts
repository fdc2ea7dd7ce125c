import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ProbeAnswer, ProbeServer } from '@runstream/runtime';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { NotifierService } from '../notifier.service';
import { AppMetrics } from '@runstream/observability';

/** GET /metrics (Prometheus text) and GET /health (503 once the outcome consumer failed): the notifier's only HTTP surface. */
@Injectable()
export class NotifierMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotifierMetrics');
  private readonly server = new ProbeServer({ '/health': () => this.health(), '/metrics': () => this.metrics.answer() });

  constructor(
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    private readonly metrics: AppMetrics,
    private readonly notifier: NotifierService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.server.listen(this.config.metrics.port, this.config.metrics.host);
    this.logger.log(`metrics on http://${this.config.metrics.host}:${this.port()}/metrics`);
  }

  port(): number {
    return this.server.port();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }

  private health(): ProbeAnswer {
    const state = this.notifier.consumer.state();
    const ok = state.status !== 'failed' && state.status !== 'stopped';
    const body = JSON.stringify({
      status: ok ? 'ok' : 'unavailable',
      consumer: state.status,
      partitions: this.notifier.ownership.partitions(),
      ...(state.lastError ? { reason: state.lastError } : {}),
    });
    return {
      status: ok ? 200 : 503,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...(ok ? {} : { 'retry-after': '5' }) },
      body,
    };
  }
}
