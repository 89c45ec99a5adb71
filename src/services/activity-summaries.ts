// What an audit row means to a person: the kind of thing it changed (entity) and a one-line
// sentence. Summaries are built from an allow-list of detail fields per action, never from the
// detail as a whole: an audit row may one day carry something that must not be shown (a value, a
// key, a token), and only the fields named here can ever reach the activity stream or its export.
import { sql, type SQL } from "drizzle-orm";
import { auditLog } from "../db/schema";

export interface AuditRowView {
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** Names of the things rows refer to, looked up per page (current names; a row's own detail wins). */
export interface Names {
  lambda(uuid: string): string | undefined;
  apiKey(id: string): string | undefined;
  oauthClient(id: string): string | undefined;
}

type Describe = (r: AuditRowView, names: Names) => string;

const MAX_TEXT = 100;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A detail field as display text: a string or number, on one line, clipped; anything else is absent. */
function text(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string" || v === "") return undefined;
  const line = v.replace(CONTROL, " ").trim();
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
}

/** A list of field names (e.g. what an edit changed): identifiers only. */
function fieldList(v: unknown): string | undefined {
  if (!Array.isArray(v)) return undefined;
  const names = v.filter((x): x is string => typeof x === "string" && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(x));
  return names.length > 0 ? names.join(", ") : undefined;
}

const named = (kind: string, id: string, name: string | undefined) => (name && name !== id ? `${kind} ${name} (${id})` : `${kind} ${id}`);
const fn = (r: AuditRowView, n: Names, uuid = r.target) => named("function", uuid, text(r.detail.name) ?? n.lambda(uuid));
const key = (r: AuditRowView, n: Names) => named("API key", r.target, text(r.detail.name) ?? n.apiKey(r.target));
const client = (r: AuditRowView, n: Names) => named("OAuth client", r.target, text(r.detail.name) ?? n.oauthClient(r.target));
const user = (r: AuditRowView) => named("user", r.target, text(r.detail.loginName));
/** Roles from a detail field: only the three role names, e.g. "role FaaS-Admin" or "roles FaaS-Admin, FaaS-Developer". */
function roleList(v: unknown): string | undefined {
  const roles = Array.isArray(v) ? v.filter((x): x is string => x === "FaaS-Admin" || x === "FaaS-Developer" || x === "FaaS-Invocation") : [];
  return roles.length === 0 ? undefined : `${roles.length === 1 ? "role" : "roles"} ${roles.join(", ")}`;
}
const withChanged = (sentence: string, r: AuditRowView) => {
  const changed = fieldList(r.detail.changed);
  return changed ? `${sentence}: ${changed}` : sentence;
};

/** limits.update detail: {limitName: {from, to}} with numbers (null = the default). */
function limitChanges(detail: Record<string, unknown>): string | undefined {
  const shown = (v: unknown) => (v === null || v === undefined ? "default" : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined);
  const parts: string[] = [];
  for (const [name, change] of Object.entries(detail)) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) || typeof change !== "object" || change === null) continue;
    const { from, to } = change as { from?: unknown; to?: unknown };
    const [f, t] = [shown(from), shown(to)];
    if (f !== undefined && t !== undefined) parts.push(`${name} ${f} → ${t}`);
  }
  return parts.length > 0 ? parts.join(", ") : undefined;
}

/** An email report frequency from a detail field: one of the three, else absent. */
const frequency = (v: unknown) => (v === "None" || v === "Daily" || v === "Weekly" ? v : undefined);

function scheduleCreated(r: AuditRowView, n: Names) {
  const lambdaUuid = text(r.detail.lambdaUUID);
  const cron = text(r.detail.cronExpression);
  const zone = text(r.detail.timeZone);
  let s = `created schedule ${r.target}`;
  if (lambdaUuid) s += ` of ${named("function", lambdaUuid, n.lambda(lambdaUuid))}`;
  if (cron) s += `: "${cron}"${zone ? ` ${zone}` : ""}`;
  if (typeof r.detail.isActive === "boolean") s += r.detail.isActive ? ", active" : ", paused";
  return s;
}

/** Every action the services write (grep auditInsert/auditIfChanged), with its entity and sentence. */
export const ACTIONS: Record<string, { entity: string; describe: Describe }> = {
  "account.create": { entity: "account", describe: (r) => `created account ${text(r.detail.name) ?? r.target}` },
  "limits.update": {
    entity: "limits",
    describe: (r) => {
      const changes = limitChanges(r.detail);
      return changes ? `changed the account's limits: ${changes}` : "changed the account's limits";
    },
  },
  "lambda.create": { entity: "lambda", describe: (r, n) => `created ${fn(r, n)}` },
  "lambda.update": { entity: "lambda", describe: (r, n) => withChanged(`changed ${fn(r, n)}`, r) },
  "lambda.delete": { entity: "lambda", describe: (r, n) => `deleted ${fn(r, n)}` },
  "lambda.deploy": {
    entity: "deployment",
    describe: (r, n) => {
      const version = typeof r.detail.version === "number" ? text(r.detail.version) : undefined;
      return `deployed ${fn(r, n)}${version ? `, version ${version}` : ""}`;
    },
  },
  "lambda.undeploy": { entity: "deployment", describe: (r, n) => `undeployed ${fn(r, n)}` },
  "lambda.restore": {
    entity: "lambda",
    describe: (r, n) => {
      const from = typeof r.detail.fromVersion === "number" ? text(r.detail.fromVersion) : undefined;
      return `restored ${fn(r, n)}${from ? ` to the code of version ${from}` : ""}`;
    },
  },
  "deployment.failed": {
    entity: "deployment",
    describe: (r, n) => {
      const version = typeof r.detail.version === "number" ? text(r.detail.version) : undefined;
      const code = text(r.detail.errorCode);
      return `failed to deploy ${fn(r, n)}${version ? `, version ${version}` : ""}${code ? ` (${code})` : ""}`;
    },
  },
  "schedule.create": { entity: "schedule", describe: scheduleCreated },
  "schedule.update": { entity: "schedule", describe: (r) => withChanged(`changed schedule ${r.target}`, r) },
  "schedule.delete": { entity: "schedule", describe: (r) => `deleted schedule ${r.target}` },
  "schedule.run": { entity: "schedule", describe: (r) => `ran schedule ${r.target} now` },
  // Written by an undeploy; its target is the function, whose active schedules were paused.
  "schedule.pause": {
    entity: "schedule",
    describe: (r, n) => {
      const reason = text(r.detail.reason);
      return `paused the schedules of ${fn(r, n)}${reason ? ` (${reason})` : ""}`;
    },
  },
  "secret.create": {
    entity: "secret",
    describe: (r) => {
      const type = text(r.detail.type);
      return `created secret ${r.target}${type ? ` (type ${type})` : ""}`;
    },
  },
  "secret.update": { entity: "secret", describe: (r) => `changed secret ${r.target}` },
  "secret.delete": { entity: "secret", describe: (r) => `deleted secret ${r.target}` },
  // The operator's key rotation: the account's data key wrapped again under the current KEK.
  "secret.rewrap": { entity: "secret", describe: (r) => `re-encrypted the secrets' data key ${r.target.replace(/^data-key:/, "")} under the current key-encryption key` },
  "proxy.add": { entity: "proxy-setting", describe: (r) => `allowed outbound calls to ${r.target}` },
  "proxy.delete": { entity: "proxy-setting", describe: (r) => `removed ${r.target} from the outbound allow-list` },
  "apikey.create": {
    entity: "api-key",
    describe: (r, n) => {
      const roles = roleList(r.detail.roles) ?? roleList([r.detail.role]);
      return `created ${key(r, n)}${roles ? ` with ${roles}` : ""}`;
    },
  },
  "apikey.revoke": { entity: "api-key", describe: (r, n) => `revoked ${key(r, n)}` },
  "user.create": {
    entity: "user",
    describe: (r) => {
      const roles = roleList(r.detail.roles);
      return `created ${user(r)}${roles ? ` with ${roles}` : ""}${r.detail.invited === true ? ", invited" : ""}`;
    },
  },
  "user.update": {
    entity: "user",
    describe: (r) => {
      const roles = Array.isArray(r.detail.changed) && r.detail.changed.includes("roles") ? roleList(r.detail.roles) : undefined;
      return withChanged(`changed ${user(r)}`, r) + (roles ? ` (now ${roles})` : "");
    },
  },
  "user.delete": { entity: "user", describe: (r) => `deleted ${user(r)}` },
  "user.invite": { entity: "user", describe: (r) => `issued a new invitation for ${user(r)}` },
  "user.password": { entity: "user", describe: (r) => `changed the password of ${user(r)}` },
  "user.activate": { entity: "user", describe: (r) => `set the password of ${user(r)} with an invitation` },
  "session.signin": { entity: "session", describe: (r) => `signed in as ${user(r)}` },
  "session.signout": { entity: "session", describe: (r) => `signed out ${user(r)}` },
  "session.revoke": { entity: "session", describe: (r) => `ended every session of ${user(r)}` },
  "session.lockout": { entity: "session", describe: (r) => `locked ${user(r)}'s sign-in for ${Number(r.detail.minutes) || 15} minutes after ${Number(r.detail.failures) || 5} wrong passwords` },
  "oauthclient.create": { entity: "oauth-client", describe: (r, n) => `created ${client(r, n)}` },
  "oauthclient.revoke": { entity: "oauth-client", describe: (r, n) => `revoked ${client(r, n)}` },
  "emailreport.update": {
    entity: "email-report",
    describe: (r) => {
      const [from, to] = [frequency(r.detail.from), frequency(r.detail.to)];
      return to ? `set the email report to ${to}${from ? ` (was ${from})` : ""}` : "changed the email report's frequency";
    },
  },
  "reportrecipient.add": { entity: "email-report", describe: (r) => `added ${r.target} to the email report's recipients` },
  "reportrecipient.remove": { entity: "email-report", describe: (r) => `removed ${r.target} from the email report's recipients` },
};

// An action no one mapped yet: its prefix names its entity ("webhook.create" → webhook), through
// this table where the prefix is a known one, so a new lambda.* action still counts as a lambda's.
const PREFIX_ENTITY: Record<string, string> = {
  account: "account",
  limits: "limits",
  lambda: "lambda",
  schedule: "schedule",
  secret: "secret",
  proxy: "proxy-setting",
  apikey: "api-key",
  oauthclient: "oauth-client",
  user: "user",
  session: "session",
  emailreport: "email-report",
  reportrecipient: "email-report",
};

const prefixOf = (action: string) => (action.includes(".") ? action.slice(0, action.indexOf(".")) : action);

export function entityOf(action: string): string {
  const prefix = prefixOf(action);
  return ACTIONS[action]?.entity ?? PREFIX_ENTITY[prefix] ?? prefix;
}

/** Every entity a known action has, for the API's documentation. */
export const KNOWN_ENTITIES = [...new Set(Object.values(ACTIONS).map((a) => a.entity))].sort();

/**
 * entityOf() as SQL over audit_log.action, so `entity=` filters in the query (keyset pages stay
 * full) and agrees with what each item says, unknown actions included.
 */
export function entitySql(): SQL<string> {
  const prefix = sql`CASE WHEN instr(${auditLog.action}, '.') > 0 THEN substr(${auditLog.action}, 1, instr(${auditLog.action}, '.') - 1) ELSE ${auditLog.action} END`;
  const byAction = Object.entries(ACTIONS).map(([action, { entity }]) => sql`WHEN ${literal(action)} THEN ${literal(entity)}`);
  const byPrefix = Object.entries(PREFIX_ENTITY).map(([p, entity]) => sql`WHEN ${literal(p)} THEN ${literal(entity)}`);
  return sql<string>`CASE ${auditLog.action} ${sql.join(byAction, sql` `)} ELSE CASE ${prefix} ${sql.join(byPrefix, sql` `)} ELSE ${prefix} END END`;
}

// The tables' own constants, inlined rather than bound: D1 binds at most 100 parameters a statement.
function literal(s: string) {
  if (!/^[a-z][a-z.-]*$/.test(s)) throw new Error(`not an action or entity name: ${s}`);
  return sql.raw(`'${s}'`);
}

/** The row's sentence, on one line whatever its parts hold. */
export function summarize(r: AuditRowView, names: Names): string {
  const known = ACTIONS[r.action];
  const sentence = known ? known.describe(r, names) : `performed ${r.action} on ${entityOf(r.action)} ${r.target}`;
  return sentence.replace(CONTROL, " ");
}

/** The ids of a page's rows whose names the summaries show, per kind. */
export function referencedIds(rows: AuditRowView[]) {
  const lambdas = new Set<string>();
  const apiKeys = new Set<string>();
  const oauthClients = new Set<string>();
  for (const r of rows) {
    const prefix = prefixOf(r.action);
    if (prefix === "lambda" || r.action === "schedule.pause") lambdas.add(r.target);
    if (r.action === "schedule.create" && typeof r.detail.lambdaUUID === "string") lambdas.add(r.detail.lambdaUUID);
    if (prefix === "apikey") apiKeys.add(r.target);
    if (prefix === "oauthclient") oauthClients.add(r.target);
  }
  return { lambdas: [...lambdas], apiKeys: [...apiKeys], oauthClients: [...oauthClients] };
}
