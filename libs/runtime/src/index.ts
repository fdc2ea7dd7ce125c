export * from './periodic-task';
export * from './probe-server';
export * from './retries';
export * from './poll';
export * from './keyed-counts';
