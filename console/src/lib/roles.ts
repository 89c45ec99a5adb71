// What the signed-in principal may do: the actions of the platform's permission table that its
// roles allow, as GET /me lists them (e.g. "activity:read"). Used only to leave out what would be
// refused: the server enforces every check itself. Unknown permissions (null) offer everything.
import type { Session } from "./session";

export type Role = "FaaS-Admin" | "FaaS-Developer" | "FaaS-Invocation";

/** True when the session may do any of `actions`. */
export function can(session: Session | null, ...actions: string[]): boolean {
  if (!session) return false;
  if (!session.permissions) return true;
  return actions.some((a) => session.permissions!.includes(a));
}

/** What the Settings section will hold: the allow-list, secrets, email reports, access. */
export const SETTINGS_ACTIONS = ["proxy:read", "secret:read", "email-recipients:read", "apikey:manage", "user:manage", "oauth:manage"];
