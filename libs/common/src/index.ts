export * from './database';
export * from './errors';
export * from './kafka';
export * from './metrics';
export * from './jwks-client';
export * from './clock';
export * from './logging';
export * from './logger';
