export * from './agencies';
export * from './subject';
export * from './topics';
export * from './messages';
export * from './wire';
export * from './asyncapi';
export * from './canonical-json';
