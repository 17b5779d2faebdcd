import { PoliceSourceChangeFeed1796000000010 } from './migrations/1796000000010-PoliceSourceChangeFeed';
import { PoliceMatchKey1795737600000 } from './migrations/1795737600000-PoliceMatchKey';
import { PoliceSource1795651200000 } from './migrations/1795651200000-PoliceSource';

export * from './entities';
export * from './identity';

export const PoliceSourceMigrations = [
  PoliceSource1795651200000,
  PoliceMatchKey1795737600000,
  PoliceSourceChangeFeed1796000000010,
];
