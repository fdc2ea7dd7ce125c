export * from './http';
export * from './infra';
export * from './kafka';
export * from './receivers';
export * from './prometheus';
