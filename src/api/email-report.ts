import { z } from "@hono/zod-openapi";
import { actorName } from "../auth/principal";
import { FREQUENCIES, MAX_RECIPIENTS, RECIPIENT_RULES } from "../services/email-report-rules";
import { addRecipient, getReportSettings, listRecipients, removeRecipient, setReportFrequency } from "../services/email-report-settings";
import { json, jsonBody } from "./json";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
const FREQUENCY_RULE = `frequency must be one of ${FREQUENCIES.join(", ")}`;

const WHEN =
  "Reports go out from 01:00 UTC: Daily for the previous UTC day, Weekly on Mondays for the previous Monday–Sunday; " +
  "each period at most once, to every recipient, in plain text and HTML.";

const SettingsSchema = z
  .object({
    frequency: z.enum(FREQUENCIES),
    updatedAt: z.string().nullable().openapi({ description: "ISO-8601; null when never set" }),
    updatedBy: z.string().nullable(),
  })
  .openapi("EmailReportSettings");

const SettingsUpdateSchema = z.object({ frequency: z.enum(FREQUENCIES, { error: FREQUENCY_RULE }) }).openapi("EmailReportSettingsUpdate");

const RecipientSchema = z
  .object({
    email: z.string().openapi({ example: "ops@example.com" }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi("EmailReportRecipient");

const EmailField = z.string({ error: RECIPIENT_RULES.email }).max(254, RECIPIENT_RULES.email).openapi({ description: RECIPIENT_RULES.email, example: "ops@example.com" });

const EmailParams = z.object({ accountId: AccountIdParam, email: EmailField.openapi({ param: { name: "email", in: "path" } }) });

export const emailReportRoutes = newRouter()
  .openapi(
    accountRoute("email-report:read", {
      method: "get",
      path: "/api/account/{accountId}/email-report",
      summary: "How often the account's email report is sent (None, Daily or Weekly)",
      description: WHEN,
      request: { params: Params },
      responses: { 200: json(SettingsSchema, "The settings (frequency None when never set)"), ...errorResponses },
    }),
    async (c) => c.json(await getReportSettings(dbOf(c), c.get("principal").accountId), 200),
  )
  .openapi(
    accountRoute("email-report:write", {
      method: "put",
      path: "/api/account/{accountId}/email-report",
      summary: "Set how often the email report is sent",
      description: `${WHEN} A frequency chosen during a report's window (e.g. Daily at 10:00) sends that day's report at the next minute.`,
      request: { params: Params, body: jsonBody(SettingsUpdateSchema) },
      responses: { 200: json(SettingsSchema, "The settings now"), ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await setReportFrequency(dbOf(c), p.accountId, actorName(p), c.req.valid("json").frequency), 200);
    },
  )
  .openapi(
    accountRoute("email-recipients:read", {
      method: "get",
      path: "/api/account/{accountId}/email-report/recipients",
      summary: "Who receives the account's email reports",
      request: { params: Params },
      responses: { 200: json(z.array(RecipientSchema), "Recipients, oldest first"), ...errorResponses },
    }),
    async (c) => c.json(await listRecipients(dbOf(c), c.get("principal").accountId), 200),
  )
  .openapi(
    accountRoute("email-recipients:write", {
      method: "post",
      path: "/api/account/{accountId}/email-report/recipients",
      summary: "Add a recipient of the email reports",
      description: `At most ${MAX_RECIPIENTS} per account (409 limitreached beyond); an address already listed (in any case) is 409 conflict. Stored lower case.`,
      request: { params: Params, body: jsonBody(z.object({ email: EmailField }).openapi("EmailReportRecipientCreate")) },
      responses: { 201: json(RecipientSchema, "The stored recipient"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      return c.json(await addRecipient(dbOf(c), p.accountId, actorName(p), c.req.valid("json").email), 201);
    },
  )
  .openapi(
    accountRoute("email-recipients:write", {
      method: "delete",
      path: "/api/account/{accountId}/email-report/recipients/{email}",
      summary: "Remove a recipient of the email reports (the address URL-encoded, in any case)",
      request: { params: EmailParams },
      responses: { 204: { description: "Removed" }, ...errorResponses },
    }),
    async (c) => {
      const p = c.get("principal");
      await removeRecipient(dbOf(c), p.accountId, actorName(p), c.req.valid("param").email);
      return c.body(null, 204);
    },
  );
