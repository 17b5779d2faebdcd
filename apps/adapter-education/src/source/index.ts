import { EducationSource1795651200000 } from './migrations/1795651200000-EducationSource';

export * from './entities';
export { EducationConnector, EDUCATION_CATEGORIES } from './connector';
export { findEducationSubject } from './find-subject';

export const EducationSourceMigrations = [EducationSource1795651200000];
