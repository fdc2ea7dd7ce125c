export * from './http';
export * from './infra';
export * from './kafka';
