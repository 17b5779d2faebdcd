import { HealthSource1795651200000 } from './migrations/1795651200000-HealthSource';

export * from './entities';
export { HealthConnector, HEALTH_CATEGORIES } from './connector';
export { findHealthSubject } from './find-subject';

export const HealthSourceMigrations = [HealthSource1795651200000];
