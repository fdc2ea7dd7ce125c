import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { migrate, readMigrations } from './migrate';
import { ClickHouseOptions, ClickHouseStore, openClickHouse, StatementObserver } from './store';

const CLICKHOUSE_OPTIONS = Symbol('CLICKHOUSE_OPTIONS');
/** Provide a StatementObserver under this token (globally) to have every statement observed. */
export const STATEMENT_OBSERVER = Symbol('STATEMENT_OBSERVER');

/** Applies migrations when the app starts and closes the client when it stops. */
@Injectable()
class ClickHouseLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ClickHouse');

  constructor(
    private readonly store: ClickHouseStore,
    @Inject(CLICKHOUSE_OPTIONS) private readonly options: ClickHouseOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    const applied = await migrate(this.store.unlimited(), readMigrations(), { cluster: this.options.cluster });
    const where = this.options.url ? new URL(this.options.url).host : `chDB at ${this.options.path}`;
    this.logger.log(
      `${where}, database ${this.options.database}${this.options.cluster ? `, cluster ${this.options.cluster}` : ''}; migrations applied now: ${applied.length ? applied.join(', ') : 'none'}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Global()
@Module({})
export class ClickHouseModule {
  static forRoot(options: ClickHouseOptions): DynamicModule {
    return {
      module: ClickHouseModule,
      providers: [
        { provide: CLICKHOUSE_OPTIONS, useValue: options },
        {
          provide: ClickHouseStore,
          useFactory: (observer?: StatementObserver) => (observer ? openClickHouse(options).observedBy(observer) : openClickHouse(options)),
          inject: [{ token: STATEMENT_OBSERVER, optional: true }],
        },
        ClickHouseLifecycle,
      ],
      exports: [ClickHouseStore],
    };
  }
}
