export * from './errors';
export * from './hashing';
export * from './keys';
export * from './envelope';
export * from './grant';
export * from './at-rest';
export * from './files';
