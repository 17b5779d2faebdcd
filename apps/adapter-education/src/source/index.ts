import { EducationSourceChangeFeed1796000000030 } from './migrations/1796000000030-EducationSourceChangeFeed';
import { EducationMatchKey1795737600000 } from './migrations/1795737600000-EducationMatchKey';
import { EducationSource1795651200000 } from './migrations/1795651200000-EducationSource';

export * from './entities';
export * from './identity';

export const EducationSourceMigrations = [
  EducationSource1795651200000,
  EducationMatchKey1795737600000,
  EducationSourceChangeFeed1796000000030,
];
