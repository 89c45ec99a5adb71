export const ROLES = ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: an API key of one account, with one role. */
export interface Principal {
  accountId: string;
  keyId: string;
  keyName: string;
  role: Role;
}

/**
 * The name written to createdBy/updatedBy and the audit log. Key names are not unique, so the
 * key's id goes with it: an audit row always identifies exactly one key.
 */
export function actorName(p: Principal): string {
  return `key:${p.keyName}#${p.keyId}`;
}
