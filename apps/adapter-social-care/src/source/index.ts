import { SocialCareSourceChangeFeed1796000000040 } from './migrations/1796000000040-SocialCareSourceChangeFeed';
import { SocialCareMatchKey1795737600000 } from './migrations/1795737600000-SocialCareMatchKey';
import { SocialCareSource1795651200000 } from './migrations/1795651200000-SocialCareSource';

export * from './entities';
export { SocialCareConnector, SOCIAL_CARE_CATEGORIES } from './connector';
export * from './identity';

export const SocialCareSourceMigrations = [
  SocialCareSource1795651200000,
  SocialCareMatchKey1795737600000,
  SocialCareSourceChangeFeed1796000000040,
];
