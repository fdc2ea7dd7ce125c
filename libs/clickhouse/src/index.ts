export * from './migrate';
export * from './store';
export * from './tables/run-events.table';
export * from './tables/runs.table';
export * from './time';
export * from './clickhouse.module';
export * from './tables/api-tokens.table';
