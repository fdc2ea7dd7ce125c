export * from './http';
export * from './infra';
