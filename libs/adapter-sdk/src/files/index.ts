export * from './xml';
export * from './types';
export * from './ctf';
export * from './cin';
export * from './store';
