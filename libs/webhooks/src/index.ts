export * from './retry-schedule';
export * from './signing';
export * from './url-guard';
export * from './webhook-attempt';
export * from './webhook-deliverer';
export * from './webhooks.env';
export * from './test-event';
