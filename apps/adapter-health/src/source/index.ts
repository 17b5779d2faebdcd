import { HealthMatchKey1795737600000 } from './migrations/1795737600000-HealthMatchKey';
import { HealthSource1795651200000 } from './migrations/1795651200000-HealthSource';

export * from './entities';
export { HealthConnector, HEALTH_CATEGORIES } from './connector';
export * from './identity';

export const HealthSourceMigrations = [HealthSource1795651200000, HealthMatchKey1795737600000];
