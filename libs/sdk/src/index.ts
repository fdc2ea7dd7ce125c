export * from './client';
export * from './errors';
export * from './exporter';
export * from './checks';
export * from './models';
export * from './runner';
export * from './transport';
export type { paths as IngestPaths } from './api/ingest';
export type { paths as QueryPaths } from './api/query';
