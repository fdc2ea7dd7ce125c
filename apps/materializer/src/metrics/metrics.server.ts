import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { MATERIALIZER_CONFIG, MaterializerConfig } from '../config/materializer.config';
import { MaterializerService } from '../consumer/materializer.service';
import { RunEventsConsumer } from '../consumer/run-events.consumer';
import { healthOf } from './health';
import { renderMetrics } from './prometheus';

/** GET /metrics (Prometheus text) and GET /health (see health.ts): the materializer has no other HTTP surface. */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    @Inject(MATERIALIZER_CONFIG) private readonly config: MaterializerConfig,
    private readonly consumer: RunEventsConsumer,
    private readonly materializer: MaterializerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((request, response) => {
      if (request.url === '/health') {
        const health = healthOf(this.consumer.consumer.state(), Date.now(), this.config.unhealthyAfterMs);
        const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
        response.writeHead(health.status === 'ok' ? 200 : 503, health.status === 'ok' ? headers : { ...headers, 'retry-after': '5' }).end(JSON.stringify(health));
      } else if (request.url === '/metrics') {
        this.consumer.consumer
          .lag()
          .then((lag) => {
            const consumer = this.consumer.consumer;
            const body = renderMetrics(consumer.metrics(), this.materializer.totals, lag, healthOf(consumer.state(), Date.now(), this.config.unhealthyAfterMs));
            response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
          })
          .catch((error: Error) => response.writeHead(503).end(error.message));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(this.config.metrics.port, this.config.metrics.host, resolve));
    this.logger.log(`metrics on http://${this.config.metrics.host}:${this.port()}/metrics`);
  }

  port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
