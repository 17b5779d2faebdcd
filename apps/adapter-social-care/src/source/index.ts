import { SocialCareSource1795651200000 } from './migrations/1795651200000-SocialCareSource';

export * from './entities';
export { SocialCareConnector, SOCIAL_CARE_CATEGORIES } from './connector';
export { findSocialCareSubject } from './find-subject';

export const SocialCareSourceMigrations = [SocialCareSource1795651200000];
