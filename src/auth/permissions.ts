import type { Role } from "./principal";

// The one permission table (LivePerson Functions' permission system, see docs/api.md, Roles).
// Every /api/account route names one of these actions; nothing else decides access.
export const PERMISSIONS = {
  "lambda:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
  "lambda:write": ["FaaS-Developer"],
  "lambda:deploy": ["FaaS-Developer"],
  "lambda:invoke": ["FaaS-Developer", "FaaS-Invocation"],
  "lambda:test": ["FaaS-Developer"],
  "runtime:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
  "invocation:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
  "apikey:manage": ["FaaS-Admin"],
  // Users (people who sign in) and their sessions: Admin only, like API keys (issue 13).
  "user:manage": ["FaaS-Admin"],
  // OAuth2 clients (client_credentials for external systems): Admin only, like API keys.
  "oauth:manage": ["FaaS-Admin"],
  // Secrets: keys and metadata readable by Admin and Developer; values never leave, for anyone.
  "secret:read": ["FaaS-Admin", "FaaS-Developer"],
  "secret:write": ["FaaS-Admin"],
  // The outbound allow-list (LivePerson's proxy-settings): Admin writes, Developer reads.
  "proxy:read": ["FaaS-Admin", "FaaS-Developer"],
  "proxy:write": ["FaaS-Admin"],
  // Schedules: everyone reads; Admin and Developer create, edit, delete and run them.
  "schedule:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
  "schedule:write": ["FaaS-Admin", "FaaS-Developer"],
  // Reports (limitCounts and friends): everyone reads.
  "report:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
  // Stored logs (search and export): every role (LivePerson's table).
  "log:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
  // The activity stream (who changed what, from the audit log) and its export: Admin and Developer
  // (issue 12 §8; LivePerson shows it in the console, which only those two roles reach).
  "activity:read": ["FaaS-Admin", "FaaS-Developer"],
  // Email reports (issue 12 §7): the frequency is the Admin's, read and written; the recipients are
  // read and changed by Admin and Developer (LivePerson's "emailReport recipients" row). LivePerson
  // also lets every role read the report settings; edgefn does not: the Invocation role is what
  // external systems' keys and OAuth tokens carry, and recipients are people's addresses.
  "email-report:read": ["FaaS-Admin"],
  "email-report:write": ["FaaS-Admin"],
  "email-recipients:read": ["FaaS-Admin", "FaaS-Developer"],
  "email-recipients:write": ["FaaS-Admin", "FaaS-Developer"],
  // Who the caller is (GET /me): any valid credential, whatever its roles (issue 14's console).
  "self:read": ["FaaS-Admin", "FaaS-Developer", "FaaS-Invocation"],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

/** True when any of the roles may do the action: a principal holds the union of its roles' rights. */
export function can(roles: readonly Role[], action: Action): boolean {
  const allowed = PERMISSIONS[action] as readonly Role[];
  return roles.some((role) => allowed.includes(role));
}
