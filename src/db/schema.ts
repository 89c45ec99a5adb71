// D1 tables. Every tenant table carries account_id and every index that serves a tenant query
// starts with it. Times are epoch milliseconds; the API renders them as ISO-8601.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
  // Grows in the same batch as every change the gateway may hold in its cache (services/
  // cache-generation.ts): what the gateway checks every 10 s, in case the gate never heard of one.
  cacheGeneration: integer("cache_generation").notNull().default(0),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    name: text("name").notNull(),
    // The first of `roles` (canonical order: Admin, Developer, Invocation), kept for the answers'
    // `role` field that clients of one-role keys read; `roles` decides access.
    role: text("role").notNull(),
    roles: text("roles", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    keyHash: text("key_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.keyHash), index("api_keys_account").on(t.accountId)],
);

export const lambdas = sqliteTable(
  "lambdas",
  {
    uuid: text("uuid").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    name: text("name").notNull(),
    description: text("description").notNull(),
    eventId: text("event_id"),
    // Skill ids the function serves, for events whose skillsApply (services/event-binding.ts); [] = every skill.
    skills: text("skills", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    runtimeUuid: text("runtime_uuid").notNull(),
    code: text("code").notNull(),
    dependencies: text("dependencies", { mode: "json" }).$type<unknown[]>().notNull(),
    environmentVariables: text("environment_variables", { mode: "json" })
      .$type<{ key: string; value: string }[]>()
      .notNull(),
    samplePayload: text("sample_payload", { mode: "json" }).$type<unknown>().notNull(),
    state: text("state").$type<"Draft" | "Productive" | "Modified">().notNull(),
    version: integer("version").notNull(),
    deploymentId: text("deployment_id"),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [uniqueIndex("lambdas_account_name").on(t.accountId, t.name), index("lambdas_account_event").on(t.accountId, t.eventId)],
);

// An immutable snapshot of a function as it was deployed. The newest five per function are kept.
export const deployments = sqliteTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    lambdaUuid: text("lambda_uuid").notNull(),
    lambdaVersion: integer("lambda_version").notNull(),
    code: text("code").notNull(),
    environmentVariables: text("environment_variables", { mode: "json" })
      .$type<{ key: string; value: string }[]>()
      .notNull(),
    // The library modules its isolate is given (runtime/libraries), resolved when it was deployed
    // from the declared dependencies and the code's static require() calls. Older rows: none.
    libraries: text("libraries", { mode: "json" }).$type<string[]>().notNull().default([]),
    codeHash: text("code_hash").notNull(),
    deployedAt: integer("deployed_at").notNull(),
    deployedBy: text("deployed_by").notNull(),
  },
  (t) => [index("deployments_lambda").on(t.accountId, t.lambdaUuid, t.deployedAt)],
);

// The saved code of a function, one row per version whose code or environment variables changed
// (create, edit, restore); the newest five per function are kept (pruned in the save's batch).
export const lambdaVersions = sqliteTable(
  "lambda_versions",
  {
    accountId: text("account_id").notNull(),
    lambdaUuid: text("lambda_uuid").notNull(),
    version: integer("version").notNull(),
    code: text("code").notNull(),
    environmentVariables: text("environment_variables", { mode: "json" })
      .$type<{ key: string; value: string }[]>()
      .notNull(),
    savedAt: integer("saved_at").notNull(),
    savedBy: text("saved_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.lambdaUuid, t.version] })],
);

// The cause of a function's latest refused deploy (one row per function), cleared by a deploy that
// succeeds and by deleting the function: the console shows it next to the deployed version.
export const deployFailures = sqliteTable(
  "deploy_failures",
  {
    accountId: text("account_id").notNull(),
    lambdaUuid: text("lambda_uuid").notNull(),
    lambdaVersion: integer("lambda_version").notNull(),
    errorCode: text("error_code").notNull(),
    message: text("message").notNull(),
    failedAt: integer("failed_at").notNull(),
    failedBy: text("failed_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.lambdaUuid] })],
);

export const invocations = sqliteTable(
  "invocations",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    lambdaUuid: text("lambda_uuid").notNull(),
    deploymentId: text("deployment_id"),
    version: integer("version"),
    trigger: text("trigger").$type<"http" | "test" | "schedule" | "event">().notNull(),
    status: text("status").$type<"SUCCEEDED" | "CODING_FAILURE" | "PLATFORM_FAILURE" | "TIMEOUT">().notNull(),
    errorCode: text("error_code"),
    startedAt: integer("started_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    requestId: text("request_id").notNull(),
    // The schedule that fired it (trigger "schedule"), else null.
    scheduleId: text("schedule_id"),
    // The invocation's outbound requests: [{host, method, status | "blocked" | "failed", durationMs}].
    outbound: text("outbound", { mode: "json" })
      .$type<{ host: string; method: string; status: number | "blocked" | "failed"; durationMs: number }[]>()
      .notNull()
      .default(sql`'[]'`),
  },
  (t) => [
    index("invocations_account_time").on(t.accountId, t.startedAt),
    index("invocations_lambda_time").on(t.accountId, t.lambdaUuid, t.startedAt),
  ],
);

export const invocationLogs = sqliteTable(
  "invocation_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: text("account_id").notNull(),
    invocationId: text("invocation_id").notNull(),
    lambdaUuid: text("lambda_uuid").notNull(),
    seq: integer("seq").notNull(),
    level: text("level").notNull(),
    message: text("message").notNull(),
    extras: text("extras", { mode: "json" }).$type<unknown[]>().notNull(),
    timestamp: integer("timestamp").notNull(),
  },
  (t) => [index("invocation_logs_invocation").on(t.accountId, t.invocationId, t.seq)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: text("account_id").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    at: integer("at").notNull(),
  },
  // audit_at: the activity stream's retention deletes expired rows of every account, oldest first.
  (t) => [index("audit_account_time").on(t.accountId, t.at), index("audit_at").on(t.at)],
);

// The outbound allow-list ("proxy settings" in LivePerson's API). `domain` is stored normalised
// (lower case, no trailing dot, IDNA as punycode, port kept), so duplicates meet the unique index.
export const allowedDomains = sqliteTable(
  "allowed_domains",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: text("account_id").notNull().references(() => accounts.id),
    domain: text("domain").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [uniqueIndex("allowed_domains_account_domain").on(t.accountId, t.domain)],
);

// Per-account limits set by the operator. A missing row or a null column means the documented
// default (see src/limit-definitions.ts).
export const accountLimits = sqliteTable("account_limits", {
  accountId: text("account_id").primaryKey().references(() => accounts.id),
  outboundPerSecond: integer("outbound_per_second"),
  concurrentInvocations: integer("concurrent_invocations"),
  functions: integer("functions"),
  schedules: integer("schedules"),
  invocationsPerMonth: integer("invocations_per_month"),
  enforceMonthlyQuota: integer("enforce_monthly_quota", { mode: "boolean" }),
  timeoutMs: integer("timeout_ms"),
  logRetentionDays: integer("log_retention_days"),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

// Cron schedules of functions. `nextExecution` is the next minute boundary (epoch ms) the schedule
// is due at, null while inactive; the scheduler claims a due schedule by moving it forward with a
// conditional UPDATE, so two overlapping scheduler runs never fire it twice for one minute.
export const schedules = sqliteTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    lambdaUuid: text("lambda_uuid").notNull(),
    cronExpression: text("cron_expression").notNull(),
    timeZone: text("time_zone").notNull().default("UTC"),
    isActive: integer("is_active", { mode: "boolean" }).notNull(),
    // Why the platform paused it (e.g. its function was undeployed); null when the user did.
    pausedReason: text("paused_reason"),
    description: text("description").notNull().default(""),
    invocationBody: text("invocation_body", { mode: "json" })
      .$type<{ headers: { key: string; value: unknown }[]; payload: unknown }>()
      .notNull(),
    nextExecution: integer("next_execution"),
    lastExecution: integer("last_execution"),
    didLastExecutionFail: integer("did_last_execution_fail", { mode: "boolean" }),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [index("schedules_account").on(t.accountId, t.lambdaUuid), index("schedules_due").on(t.isActive, t.nextExecution)],
);

// One firing of a schedule (or a skipped one): what the scheduler did for one due minute.
export const scheduleRuns = sqliteTable(
  "schedule_runs",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    scheduleId: text("schedule_id").notNull(),
    // The minute (epoch ms) the run was due at; a manual run ("run now") uses its start time.
    scheduledFor: integer("scheduled_for").notNull(),
    kind: text("kind").$type<"cron" | "manual">().notNull(),
    status: text("status").$type<"running" | "succeeded" | "failed" | "skipped">().notNull(),
    // Due minutes that passed without firing (platform down) and are covered by this run.
    missed: integer("missed").notNull().default(0),
    invocationId: text("invocation_id"),
    errorCode: text("error_code"),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    index("schedule_runs_schedule").on(t.accountId, t.scheduleId, t.scheduledFor),
    // The hourly sweep of runs that never reported back reads only the running ones (a few), not
    // every run kept (test/helpers/query-plans.ts).
    index("schedule_runs_running").on(t.startedAt).where(sql`status = 'running'`),
  ],
);

// OAuth2 client credentials of an account (issue 5): the client secret is stored only as its
// SHA-256 hash; the token endpoint mints JWTs for an active client (services/oauth-clients).
export const oauthClients = sqliteTable(
  "oauth_clients",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    name: text("name").notNull(),
    clientId: text("client_id").notNull(),
    secretHash: text("secret_hash").notNull(),
    scope: text("scope").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("oauth_clients_client_id").on(t.clientId), index("oauth_clients_account").on(t.accountId, t.createdAt)],
);

// Email reports (issue 12 §7). One row per account that chose a frequency; no row = "None".
// email_report_settings_frequency: the Cron Trigger lists the accounts of one frequency.
export const emailReportSettings = sqliteTable(
  "email_report_settings",
  {
    accountId: text("account_id").primaryKey().references(() => accounts.id),
    frequency: text("frequency").$type<"None" | "Daily" | "Weekly">().notNull(),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [index("email_report_settings_frequency").on(t.frequency, t.accountId)],
);

// Who receives an account's reports (at most 10). `email` is stored lower case, so a duplicate meets
// the unique index whatever its case.
export const emailReportRecipients = sqliteTable(
  "email_report_recipients",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: text("account_id").notNull().references(() => accounts.id),
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
  },
  (t) => [uniqueIndex("email_report_recipients_account_email").on(t.accountId, t.email)],
);

// One report of one period of an account: claimed (status "sending") by a conditional INSERT before
// it is sent, so the unique key lets each period go out at most once, however often the Cron Trigger
// fires. A failed send may be claimed again after `retryAt`, up to a bounded number of attempts.
// `snapshot` keeps the function counts the report showed, for the next report's changes.
export const emailReportSends = sqliteTable(
  "email_report_sends",
  {
    accountId: text("account_id").notNull(),
    kind: text("kind").$type<"Daily" | "Weekly">().notNull(),
    periodStart: integer("period_start").notNull(),
    status: text("status").$type<"sending" | "sent" | "failed">().notNull(),
    attempts: integer("attempts").notNull(),
    claimedAt: integer("claimed_at").notNull(),
    retryAt: integer("retry_at"),
    sentAt: integer("sent_at"),
    error: text("error"),
    snapshot: text("snapshot", { mode: "json" }).$type<{ functions: number; deployed: number }>(),
  },
  (t) => [
    uniqueIndex("email_report_sends_period").on(t.accountId, t.kind, t.periodStart),
    // Pruning old periods reads only those, not every account's ledger (test/helpers/query-plans.ts).
    index("email_report_sends_age").on(t.periodStart),
  ],
);

// People who sign in (issue 13): a login name unique per account (case-insensitively, through
// `login_key`, its lower-case form), one or more roles, and a password stored only as a PBKDF2 hash
// ("pbkdf2-sha256$<iterations>$<salt>$<hash>", crypto/password.ts), null until an invitation is
// accepted. An invitation is a one-time token stored as its SHA-256 hash, with its expiry.
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id),
    loginName: text("login_name").notNull(),
    loginKey: text("login_key").notNull(),
    roles: text("roles", { mode: "json" }).$type<string[]>().notNull(),
    passwordHash: text("password_hash"),
    passwordChangedAt: integer("password_changed_at"),
    invitationHash: text("invitation_hash"),
    invitationExpiresAt: integer("invitation_expires_at"),
    createdAt: integer("created_at").notNull(),
    createdBy: text("created_by").notNull(),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [uniqueIndex("users_account_login").on(t.accountId, t.loginKey), uniqueIndex("users_invitation").on(t.invitationHash)],
);

// Sign-in sessions (issue 13 §2, LivePerson's login contract): the bearer, the session id (lpf's
// `session_id` cookie) and the csrf token are stored only as SHA-256 hashes. A session ends at
// `expires_at` (8 hours after sign-in) or when revoked (logout, an Admin, or a change of its user).
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    userId: text("user_id").notNull(),
    bearerHash: text("bearer_hash").notNull(),
    sessionHash: text("session_hash").notNull(),
    csrfHash: text("csrf_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    clientAddress: text("client_address"),
  },
  (t) => [
    uniqueIndex("sessions_bearer").on(t.bearerHash),
    uniqueIndex("sessions_session").on(t.sessionHash),
    index("sessions_user").on(t.accountId, t.userId, t.expiresAt),
    index("sessions_expiry").on(t.expiresAt),
  ],
);

// Sign-in attempts being counted for the lockout (services/login-throttle.ts): one row per attempt
// and per counted key ("user:<account>:<login key>" and "addr:<client address>"), written before the
// password is checked and removed when it was right. Rows older than the window and lock are pruned.
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    attempt: text("attempt").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("login_attempts_key").on(t.key, t.at), index("login_attempts_at").on(t.at), index("login_attempts_attempt").on(t.attempt)],
);
