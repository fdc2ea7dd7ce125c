import { DynamicModule, Module } from '@nestjs/common';
import { ClickHouseModule } from '@runstream/clickhouse';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { AppMetrics, ObservabilityModule } from '@runstream/observability';
import { MATERIALIZER_CONFIG, MaterializerConfig } from './config/materializer.config';
import { DEAD_LETTER_PUBLISHER } from './consumer/dead-letter-publisher';
import { FatalExit } from './consumer/fatal-exit';
import { MaterializerService } from './consumer/materializer.service';
import { RunEventsConsumer } from './consumer/run-events.consumer';
import { MaterializerMetrics } from './metrics/materializer.metrics';
import { MetricsServer } from './metrics/metrics.server';

@Module({})
export class MaterializerModule {
  static forRoot(config: MaterializerConfig): DynamicModule {
    const metrics = new AppMetrics('materializer');
    return {
      module: MaterializerModule,
      imports: [ObservabilityModule.forRoot(metrics), ClickHouseModule.forRoot(config.clickhouse)],
      providers: [
        { provide: MATERIALIZER_CONFIG, useValue: config },
        {
          provide: DEAD_LETTER_PUBLISHER,
          useFactory: () =>
            new KafkajsPublisher(createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-dlq` }), {
              topics: [config.kafka.topics.deadLetters],
              observer: metrics,
            }),
        },
        FatalExit,
        MaterializerService,
        RunEventsConsumer,
        MaterializerMetrics,
        MetricsServer,
      ],
    };
  }
}
