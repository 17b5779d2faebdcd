import type { Agency } from '@mash/contracts';

export const ROLES = [
  'analyst',
  'manager',
  'auditor',
  'agreement-admin',
  'agency-representative',
] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated user, as the broker knows them from their token. */
export interface Principal {
  sub: string;
  roles: Role[];
  partnership: string;
  /** The agency an `agency-representative` works for (the `agency` claim). */
  agency?: string;
  /** Token id when present, for audit correlation. */
  jti?: string;
}

export function primaryRole(p: Principal, preferred: readonly Role[]): Role {
  return preferred.find((r) => p.roles.includes(r)) ?? p.roles[0];
}

/** A representative of one agency in the MASH: sees only what their agency was asked about. */
export interface Representative extends Principal {
  agency: Agency;
}

export function isRepresentative(p: Principal): p is Representative {
  return p.roles.includes('agency-representative') && p.agency !== undefined;
}
