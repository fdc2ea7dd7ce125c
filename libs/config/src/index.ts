export * from './load-config';
export * from './shared-env';
export * from './kafka-security';
