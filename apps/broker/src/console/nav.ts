import { ROLES, type Principal, type Role } from '../auth/principal';

/**
 * The console's navigation, by role. A new area of the console (households, meetings, agency
 * status, …) is one row here plus its controller: a page is linked only once its route exists.
 */
export const NAVIGATION: ReadonlyArray<{ href: string; text: string; roles: readonly Role[] }> = [
  { href: '/cases', text: "Today's work", roles: ['analyst', 'manager'] },
  { href: '/referrals/new', text: 'New referral', roles: ['analyst'] },
  { href: '/agency/cases', text: "Your agency's cases", roles: ['agency-representative'] },
  {
    href: '/meetings',
    text: 'Daily meeting',
    roles: ['analyst', 'manager', 'agency-representative'],
  },
  { href: '/manager/consent', text: 'Consent approvals', roles: ['manager'] },
  { href: '/manager/metrics', text: 'Partnership metrics', roles: ['manager'] },
  { href: '/thresholds', text: 'Thresholds', roles: ['manager'] },
  { href: '/audit', text: 'Audit log', roles: ['auditor'] },
  { href: '/audit/verify', text: 'Verify the log', roles: ['auditor'] },
  { href: '/audit/reports', text: 'Audit reports', roles: ['auditor'] },
  { href: '/audit/pseudonym', text: 'Pseudonym lookup', roles: ['auditor'] },
  {
    href: '/agreements',
    text: 'Agreements',
    roles: ['analyst', 'manager', 'auditor', 'agreement-admin'],
  },
  { href: '/operations', text: 'Agencies', roles: ROLES },
];

export function navigationFor(user: Principal | undefined, path: string) {
  if (!user) return [];
  return NAVIGATION.filter((n) => n.roles.some((r) => user.roles.includes(r))).map((n) => ({
    href: n.href,
    text: n.text,
    active: path === n.href || (n.href !== '/' && path.startsWith(`${n.href}/`)),
  }));
}

/** Where a person lands after signing in: the first page their roles open. */
export function homeFor(user: Principal): string {
  return navigationFor(user, '')[0]?.href ?? '/sign-in';
}
