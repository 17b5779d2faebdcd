export * from './agencies';
export * from './subject';
