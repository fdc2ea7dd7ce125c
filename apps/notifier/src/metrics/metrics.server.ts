import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { NOTIFIER_CONFIG, NotifierConfig } from '../config/notifier.config';
import { NotifierService } from '../notifier.service';
import { NotifierMetrics } from './notifier.metrics';

/** GET /metrics (Prometheus text) and GET /health (503 once the outcome consumer failed): the notifier's only HTTP surface. */
@Injectable()
export class NotifierMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotifierMetrics');
  private server: Server | undefined;

  constructor(
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    private readonly metrics: NotifierMetrics,
    private readonly notifier: NotifierService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = createServer((request, response) => {
      if (request.url === '/metrics') {
        this.metrics.registry
          .metrics()
          .then((text) => response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text))
          .catch((error: Error) => response.writeHead(503, { 'retry-after': '5' }).end(error.message));
      } else if (request.url === '/health') {
        const state = this.notifier.consumer.state();
        const ok = state.status !== 'failed' && state.status !== 'stopped';
        const body = JSON.stringify({ status: ok ? 'ok' : 'unavailable', consumer: state.status, partitions: this.notifier.ownership.partitions(), ...(state.lastError ? { reason: state.lastError } : {}) });
        response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store', ...(ok ? {} : { 'retry-after': '5' }) }).end(body);
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
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
