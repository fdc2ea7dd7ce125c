import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ProbeAnswer, ProbeServer } from '@runstream/runtime';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { MaterializerService } from '../consumer/materializer.service';
import { RunEventsConsumer } from '../consumer/run-events.consumer';
import { healthOf } from './health';
import { renderMetrics } from './prometheus';

/** GET /metrics (Prometheus text) and GET /health (see health.ts): the materializer has no other HTTP surface. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly server = new ProbeServer({ '/health': () => this.health(), '/metrics': () => this.metrics() });

  constructor(
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
    private readonly consumer: RunEventsConsumer,
    private readonly materializer: MaterializerService,
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
    return { status: health.status === 'ok' ? 200 : 503, headers: health.status === 'ok' ? headers : { ...headers, 'retry-after': '5' }, body: JSON.stringify(health) };
  }

  private async metrics(): Promise<ProbeAnswer> {
    const consumer = this.consumer.consumer;
    const lag = await consumer.lag();
    const body = renderMetrics(consumer.metrics(), this.materializer.totals, lag, healthOf(consumer.state(), Date.now(), this.config.unhealthyAfterMs));
    return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body };
  }
}
