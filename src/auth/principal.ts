export const ROLES = ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is calling, in one account: an API key, an OAuth2 access token's client, or a signed-in user
 * (through a session's bearer). Roles are a non-empty set; a permission check passes on their union.
 */
export interface Principal {
  accountId: string;
  kind: "key" | "token" | "user";
  /** The key's id, the OAuth client's row id, or the user's id. */
  id: string;
  /** The key's name, "oauth:<client name>", or the user's login name. */
  name: string;
  roles: readonly Role[];
  /** A user's session (its row id) and when it ends: the gateway's cache never outlives it. */
  sessionId?: string;
  expiresAt?: number;
}

/**
 * The name written to createdBy/updatedBy and the audit log. Names are not unique (and a login name
 * may be reused after its user is deleted), so the id goes with it: an audit row always identifies
 * exactly one key, client or user.
 */
export function actorName(p: Principal): string {
  return p.kind === "user" ? `user:${p.name}#${p.id}` : `key:${p.name}#${p.id}`;
}

/** Roles in canonical order (Admin, Developer, Invocation), each once. */
export const canonicalRoles = (roles: Iterable<string>): Role[] => {
  const set = new Set(roles);
  return ROLES.filter((r) => set.has(r));
};

/** Two role sets are the same set. */
export const sameRoles = (a: readonly Role[], b: readonly Role[]) => canonicalRoles(a).join() === canonicalRoles(b).join();
