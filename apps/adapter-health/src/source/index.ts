import { HealthSourceChangeFeed1796000000020 } from './migrations/1796000000020-HealthSourceChangeFeed';
import { HealthMatchKey1795737600000 } from './migrations/1795737600000-HealthMatchKey';
import { HealthSource1795651200000 } from './migrations/1795651200000-HealthSource';

export * from './entities';
export * from './identity';

export const HealthSourceMigrations = [
  HealthSource1795651200000,
  HealthMatchKey1795737600000,
  HealthSourceChangeFeed1796000000020,
];
