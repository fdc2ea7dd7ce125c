export * from './event-log.port';
export * from './kafkajs-client';
export * from './kafkajs-consumer';
export * from './kafkajs-publisher';
export * from './publish-errors';
export * from './topics';
export * from './cluster-check';
export * from './readiness';
export { DEAD_LETTER_HEADROOM_BYTES, DEAD_LETTER_REASON_MAX_BYTES } from './record-size';
