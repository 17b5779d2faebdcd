import { PoliceSource1795651200000 } from './migrations/1795651200000-PoliceSource';

export * from './entities';
export { PoliceConnector, POLICE_CATEGORIES } from './connector';
export { findPoliceSubject } from './find-subject';

export const PoliceSourceMigrations = [PoliceSource1795651200000];
