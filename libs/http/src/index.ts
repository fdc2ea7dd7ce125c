export * from './http-app';
export * from './validation';
export * from './caller';
export * from './health.controller';
export * from './openapi';
