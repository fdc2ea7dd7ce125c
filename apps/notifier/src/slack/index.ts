export * from './slack-client';
export * from './slack-format';
export * from './slack-message';
export * from './slack-verdict';
export * from './slack.env';
