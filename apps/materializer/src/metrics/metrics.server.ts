import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ProbeAnswer, ProbeServer } from '@runstream/runtime';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { RunEventsConsumer } from '../consumer/run-events.consumer';
import { healthOf } from './health';
import { AppMetrics } from '@runstream/observability';

/** GET /metrics (Prometheus text) and GET /health (see health.ts): the materializer has no other HTTP surface. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly server = new ProbeServer({ '/health': () => this.health(), '/metrics': () => this.metrics.answer() });

  constructor(
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
    private readonly consumer: RunEventsConsumer,
    private readonly metrics: AppMetrics,
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
    const health = healthOf(this.consumer.consumer.state(), Date.now(), this.config.unhealthyAfterMs);
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    return {
      status: health.status === 'ok' ? 200 : 503,
      headers: health.status === 'ok' ? headers : { ...headers, 'retry-after': '5' },
      body: JSON.stringify(health),
    };
  }
}
