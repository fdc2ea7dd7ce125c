export * from './app-metrics';
export * from './http-metrics';
export * from './observability.module';
export * from './logging';
