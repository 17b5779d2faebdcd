export const ROLES = ['analyst', 'manager', 'auditor', 'agreement-admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated user, as the broker knows them from their token. */
export interface Principal {
  sub: string;
  roles: Role[];
  partnership: string;
  agency?: string;
  /** Token id when present, for audit correlation. */
  jti?: string;
}

export function primaryRole(p: Principal, preferred: readonly Role[]): Role {
  return preferred.find((r) => p.roles.includes(r)) ?? p.roles[0];
}
