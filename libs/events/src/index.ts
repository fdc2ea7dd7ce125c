export * from './codec';
export * from './envelope';
export * from './statuses';
export * from './uuidv7';
export * from './schema';
export * from './jobs';
export * from './jobs.schema';
export * from './well-formed';
