// What the signed-in principal may do, from LivePerson's role table (docs/api.md#roles). Used only
// to leave out what would be refused: the server enforces every check itself. With unknown roles
// (an API key: no route tells a key its own roles) everything is offered and the server decides.
import type { Session } from "./session";

export type Role = "FaaS-Admin" | "FaaS-Developer" | "FaaS-Invocation";

const RIGHTS = {
  readActivity: ["FaaS-Admin", "FaaS-Developer"],
  writeFunctions: ["FaaS-Developer"],
  readSettings: ["FaaS-Admin", "FaaS-Developer"],
  manageAccess: ["FaaS-Admin"],
} satisfies Record<string, Role[]>;

export type Right = keyof typeof RIGHTS;

export function can(session: Session | null, right: Right): boolean {
  if (!session) return false;
  if (session.roles === null) return true;
  return session.roles.some((r) => (RIGHTS[right] as Role[]).includes(r));
}
