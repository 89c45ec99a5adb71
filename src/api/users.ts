// Users of an account and their sessions (issue 13 §1): FaaS-Admin only, like API keys.
import { z } from "@hono/zod-openapi";
import { createUser, deleteUser, inviteUser, listUsers, updateUser } from "../services/users";
import { listUserSessions, revokeUserSessions } from "../services/sessions";
import { PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS } from "../crypto/password";
import { json, jsonBody } from "./json";
import { meRoutes } from "./me";
import { accountRoute, conflictResponse, dbOf, errorResponses, newRouter } from "./route";
import { AccountIdParam, IdParam, RolesSchema } from "./schemas";

const Params = z.object({ accountId: AccountIdParam });
const UserParams = z.object({ accountId: AccountIdParam, id: IdParam });

const LoginNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/, "loginName: 1-100 letters, digits and . _ @ + -, starting with a letter or digit")
  .openapi({ example: "jane.doe@brand.example", description: "Unique in the account, case-insensitively" });

// Length is checked by the service (after Unicode normalisation); the schema only bounds the work.
const PasswordSchema = z
  .string()
  .max(PASSWORD_MAX_CHARS * 4)
  .openapi({ description: `${PASSWORD_MIN_CHARS}-${PASSWORD_MAX_CHARS} characters; stored only as a PBKDF2-SHA256 hash, never shown` });

const InvitationSchema = z
  .object({
    token: z.string().openapi({ description: "Shown only here; POST it with a password to /api/account/{accountId}/invitation. Works once." }),
    expiresAt: z.string(),
  })
  .openapi("Invitation");

const UserSchema = z
  .object({
    id: z.string(),
    loginName: z.string(),
    roles: RolesSchema,
    status: z.enum(["active", "invited"]).openapi({ description: "invited: no password yet, only its invitation can set one" }),
    invitationExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi("User");

const SessionSchema = z
  .object({ id: z.string(), createdAt: z.string(), expiresAt: z.string(), clientAddress: z.string().nullable() })
  .openapi("Session");

const NewUserSchema = z.object({
  loginName: LoginNameSchema,
  roles: RolesSchema,
  password: PasswordSchema.optional().openapi({ description: "Without it the answer holds a one-time invitation instead" }),
});

const UserChangeSchema = z
  .object({ roles: RolesSchema.optional(), password: PasswordSchema.optional() })
  .strict()
  .openapi({ description: "Either or both; a change of either ends the user's sessions" });

export const userRoutes = newRouter()
  .openapi(
    accountRoute("user:manage", {
      method: "post",
      path: "/api/account/{accountId}/users",
      summary: "Create a user with a password, or with a one-time invitation (valid 7 days) shown only in this answer",
      request: { params: Params, body: jsonBody(NewUserSchema) },
      responses: { 201: json(UserSchema.extend({ invitation: InvitationSchema.optional() }), "The new user"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      const { user, invitation } = await createUser(dbOf(c), c.get("principal"), c.req.valid("json"));
      return c.json({ ...user, ...(invitation ? { invitation } : {}) }, 201);
    },
  )
  .openapi(
    accountRoute("user:manage", {
      method: "get",
      path: "/api/account/{accountId}/users",
      summary: "The account's users (never a password or hash)",
      request: { params: Params },
      responses: { 200: json(z.array(UserSchema), "Users"), ...errorResponses },
    }),
    async (c) => c.json(await listUsers(dbOf(c), c.get("principal")), 200),
  )
  .openapi(
    accountRoute("user:manage", {
      method: "put",
      path: "/api/account/{accountId}/users/{id}",
      summary: "Change a user's roles and/or password; ends the user's sessions",
      request: { params: UserParams, body: jsonBody(UserChangeSchema) },
      responses: { 200: json(UserSchema, "The user"), 409: conflictResponse, ...errorResponses },
    }),
    async (c) => c.json(await updateUser(dbOf(c), c.get("principal"), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(
    accountRoute("user:manage", {
      method: "delete",
      path: "/api/account/{accountId}/users/{id}",
      summary: "Delete a user; their sessions end at once",
      request: { params: UserParams },
      responses: { 204: { description: "Deleted" }, 409: conflictResponse, ...errorResponses },
    }),
    async (c) => {
      await deleteUser(dbOf(c), c.get("principal"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  )
  .openapi(
    accountRoute("user:manage", {
      method: "post",
      path: "/api/account/{accountId}/users/{id}/invitation",
      summary: "A new one-time invitation for the user (e.g. a forgotten password); replaces an earlier one",
      request: { params: UserParams },
      responses: { 201: json(InvitationSchema, "The invitation, shown only here"), ...errorResponses },
    }),
    async (c) => c.json(await inviteUser(dbOf(c), c.get("principal"), c.req.valid("param").id), 201),
  )
  .openapi(
    accountRoute("user:manage", {
      method: "get",
      path: "/api/account/{accountId}/users/{id}/sessions",
      summary: "The user's live sessions (never their tokens)",
      request: { params: UserParams },
      responses: { 200: json(z.array(SessionSchema), "Sessions"), ...errorResponses },
    }),
    async (c) => c.json(await listUserSessions(dbOf(c), c.get("principal"), c.req.valid("param").id), 200),
  )
  .openapi(
    accountRoute("user:manage", {
      method: "delete",
      path: "/api/account/{accountId}/users/{id}/sessions",
      summary: "End every session of the user at once",
      request: { params: UserParams },
      responses: { 204: { description: "Ended" }, ...errorResponses },
    }),
    async (c) => {
      await revokeUserSessions(dbOf(c), c.get("principal"), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

// Who the caller is (GET /me), for any credential: the console reads its roles from it.
userRoutes.route("/", meRoutes);
