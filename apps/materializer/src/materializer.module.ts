import { DynamicModule, Module } from '@nestjs/common';
import { ClickHouseModule } from '@runstream/clickhouse';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { MATERIALIZER_CONFIG, MaterializerConfig } from './config/materializer.config';
import { DEAD_LETTER_PUBLISHER } from './consumer/dead-letters';
import { FatalExit } from './consumer/fatal-exit';
import { MaterializerService } from './consumer/materializer.service';
import { RunEventsConsumer } from './consumer/run-events.consumer';
import { MetricsServer } from './metrics/metrics.server';

@Module({})
export class MaterializerModule {
  static forRoot(config: MaterializerConfig): DynamicModule {
    return {
      module: MaterializerModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse)],
      providers: [
        { provide: MATERIALIZER_CONFIG, useValue: config },
        { provide: DEAD_LETTER_PUBLISHER, useFactory: () => new KafkajsPublisher(createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-dlq` }), { topics: [config.kafka.topics.deadLetters] }) },
        FatalExit,
        MaterializerService,
        RunEventsConsumer,
        MetricsServer,
      ],
    };
  }
}
