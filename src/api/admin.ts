import { createRoute, z } from "@hono/zod-openapi";
import { operatorOnly } from "../auth/operator";
import { wakeAllGates } from "../gate/client";
import { recordRestartNotice } from "../gate/restart-notices";
import { loadedIsolateCount } from "../runtime/sandbox/sandbox";
import { createAccount } from "../services/accounts";
import { LIMITS, LIMIT_NAMES, getAccountLimits, setAccountLimits, type LimitName, type LimitOverrides } from "../services/limits";
import { REWRAP_PAGE_DEFAULT, REWRAP_PAGE_MAX, rewrapDataKeys } from "../services/secrets-rotation";
import { json, jsonBody } from "./json";
import { conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam } from "./schemas";

const LimitsParams = z.object({ accountId: AccountIdParam });

/** How many answered invocations one restart notice may carry (the front keeps the last 30 s). */
const MAX_ANSWERED = 2000;

const RestartNoticeSchema = z
  .object({
    cause: z.enum(["cpu-stall", "memory-ceiling", "exit"]),
    at: z.number().int().positive().openapi({ description: "When the runtime was ended, ms since the epoch" }),
    ceilingMiB: z.number().int().positive().optional(),
    stalledMs: z.number().int().nonnegative().optional(),
    answered: z
      .record(
        z.string().regex(/^[0-9a-f-]{36}$/),
        z.object({
          status: z.enum(["SUCCEEDED", "CODING_FAILURE", "TIMEOUT", "PLATFORM_FAILURE"]),
          errorCode: z.string().max(200).nullable(),
          at: z.number().int().positive(),
        }),
      )
      .refine((r) => Object.keys(r).length <= MAX_ANSWERED, `at most ${MAX_ANSWERED} answered invocations`)
      .optional()
      .openapi({ description: "Invocations the local front answered just before the restart: their records take that outcome" }),
  })
  .strict()
  .openapi("RuntimeRestartNotice");

// Each limit is one optional field: null restores the default, a field left out keeps its value.
const limitField = (name: LimitName) => {
  const spec: (typeof LIMITS)[LimitName] = LIMITS[name];
  if (spec.kind === "bool") {
    const rule = `${name} is true or false, or null for the default (${spec.default})`;
    return z.boolean({ error: rule }).nullable().optional().openapi({ description: `${spec.description}; null = the default (${spec.default})` });
  }
  const rule = `${name} is an integer from ${spec.min} to ${spec.max}, or null for the default (${spec.default})`;
  return z
    .number({ error: rule })
    .int(rule)
    .min(spec.min, rule)
    .max(spec.max, rule)
    .nullable()
    .optional()
    .openapi({ description: `${spec.description}; null = the default (${spec.default})` });
};
const limitValue = (name: LimitName) => (LIMITS[name].kind === "bool" ? z.boolean() : z.number());
const eachLimit = <T extends z.ZodType>(make: (name: LimitName) => T) => Object.fromEntries(LIMIT_NAMES.map((n) => [n, make(n)])) as Record<LimitName, T>;

const AccountLimitsUpdateSchema = z
  .object(eachLimit(limitField))
  .strict()
  .refine((body) => Object.keys(body).length > 0, `name at least one limit to change (${LIMIT_NAMES.join(", ")})`)
  .openapi("AccountLimitsUpdate");

const AccountLimitsSchema = z
  .object({
    accountId: z.string(),
    ...eachLimit((n) => limitValue(n).nullable().openapi({ description: "The account's override; null = the default applies" })),
    defaults: z.object(eachLimit(limitValue)),
    effective: z.object(eachLimit(limitValue)).openapi({ description: "What applies now" }),
  })
  .openapi("AccountLimits");

export const adminRoutes = newRouter().openapi(
  createRoute({
    method: "post",
    path: "/admin/accounts",
    summary: "Create an account and its first FaaS-Admin key (operator only)",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    request: {
      body: jsonBody(
        z.object({
          accountId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "accountId may contain letters, digits, _ and -, at most 64").optional(),
          name: z.string().min(1).max(100),
        }),
      ),
    },
    responses: {
      201: json(z.object({ accountId: z.string(), adminKey: z.string() }), "The account and its admin key (shown once)"),
      409: conflictResponse,
      ...errorResponses,
    },
  }),
  async (c) => c.json(await createAccount(dbOf(c), c.req.valid("json")), 201),
).openapi(
  createRoute({
    method: "post",
    path: "/admin/secrets/rewrap",
    summary: "Re-wrap one page of the accounts' secret data keys under the current SECRETS_KEK version (operator only)",
    description:
      "KEK rotation (docs/secrets-and-allow-list.md): call with the returned nextCursor until it is null. Only data-key records change, " +
      "each keeping its key material, so no secret is touched; a page can be run again safely.",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    request: {
      query: z.object({
        cursor: z.string().max(1024).optional(),
        limit: z.coerce
          .number()
          .int()
          .min(1, `limit is 1 to ${REWRAP_PAGE_MAX}`)
          .max(REWRAP_PAGE_MAX, `limit is 1 to ${REWRAP_PAGE_MAX}`)
          .optional()
          .openapi({ description: `Data keys per page (default ${REWRAP_PAGE_DEFAULT})` }),
      }),
    },
    responses: {
      200: json(
        z.object({
          kekVersion: z.string(),
          rewrapped: z.number(),
          alreadyCurrent: z.number(),
          failed: z.array(z.object({ accountId: z.string(), dataKeyId: z.string(), kekVersion: z.string().nullable(), reason: z.string() })),
          nextCursor: z.string().nullable(),
        }),
        "What this page did, and where the next one starts",
      ),
      ...errorResponses,
    },
  }),
  async (c) => c.json(await rewrapDataKeys(c.env, c.req.valid("query")), 200),
).openapi(
  createRoute({
    method: "get",
    path: "/admin/accounts/{accountId}/limits",
    summary: "An account's limits: its overrides (null = default), the defaults and what applies (operator only)",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    request: { params: LimitsParams },
    responses: { 200: json(AccountLimitsSchema, "The account's limits"), ...errorResponses },
  }),
  async (c) => c.json(await getAccountLimits(dbOf(c), c.req.valid("param").accountId), 200),
).openapi(
  createRoute({
    method: "put",
    path: "/admin/accounts/{accountId}/limits",
    summary: "Set an account's limits (operator only); a field left out keeps its value, null restores the default",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    request: { params: LimitsParams, body: jsonBody(AccountLimitsUpdateSchema) },
    responses: { 200: json(AccountLimitsSchema, "The account's limits after the change"), ...errorResponses },
  }),
  async (c) => c.json(await setAccountLimits(dbOf(c), c.req.valid("param").accountId, c.req.valid("json") as Partial<LimitOverrides>), 200),
).openapi(
  createRoute({
    method: "get",
    path: "/admin/runtime",
    summary: "What the runtime holds (operator only; read by npm start's supervisor)",
    description:
      "isolatesLoaded: how many function isolates this Worker has built since it started. Locally the runtime keeps every one " +
      "(about 3 MiB each), so npm start's supervisor raises its memory ceiling by an allowance per isolate; on Cloudflare the " +
      "platform evicts idle isolates itself and the figure counts only this Worker isolate's.",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    responses: { 200: json(z.object({ isolatesLoaded: z.number().int().nonnegative() }), "The runtime's figures"), ...errorResponses },
  }),
  (c) => c.json({ isolatesLoaded: loadedIsolateCount() }, 200),
).openapi(
  createRoute({
    method: "post",
    path: "/admin/runtime/restarts",
    summary: "Tell the platform why the local runtime was restarted (operator only; called by npm start's supervisor)",
    description:
      "The invocations that were running when the runtime was ended are recorded PLATFORM_FAILURE once their lease expires; " +
      "with this notice their record names the cause (a CPU stall or the memory ceiling) instead of a generic loss. " +
      "Every account's gate is then woken, so that the invocations lost in the restart get their records even where nobody calls the account.",
    middleware: [operatorOnly] as const,
    security: [{ operatorToken: [] }],
    request: { body: jsonBody(RestartNoticeSchema) },
    responses: { 200: json(z.object({ recorded: z.literal(true), gatesWoken: z.number() }), "The notice is stored"), ...errorResponses },
  }),
  async (c) => {
    await recordRestartNotice(c.env.KV, c.req.valid("json"));
    return c.json({ recorded: true as const, gatesWoken: await wakeAllGates(c.env.DB) }, 200);
  },
);
