import { PoliceMatchKey1795737600000 } from './migrations/1795737600000-PoliceMatchKey';
import { PoliceSource1795651200000 } from './migrations/1795651200000-PoliceSource';

export * from './entities';
export { PoliceConnector, POLICE_CATEGORIES } from './connector';
export * from './identity';

export const PoliceSourceMigrations = [PoliceSource1795651200000, PoliceMatchKey1795737600000];
