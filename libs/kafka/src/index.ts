export * from './event-log.port';
export * from './kafkajs-client';
export * from './kafkajs-consumer';
export * from './kafkajs-publisher';
export * from './publish-errors';
export * from './topics';
export * from './cluster-check';
export * from './readiness';
