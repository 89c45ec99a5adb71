import { OpenAPIHono, createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { Action } from "../auth/permissions";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import type { HostExports } from "../runtime/sandbox/worker-code";
import { exports as workerExports } from "cloudflare:workers";
import { ApiError, ErrorCodes } from "../errors";
import { MAX_REQUEST_NESTING, nestingMessage, nestingRule, nestsDeeperThan } from "../json-nesting";
import { ErrorSchema } from "./schemas";
import { authenticate, authorize } from "./auth";

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });

export const conflictResponse = errorResponse("Conflict with the current state (errorCode com.liveperson.faas.es.conflict)");

export const errorResponses = {
  400: errorResponse("Bad input (errorCode com.liveperson.faas.es.badinput)"),
  401: errorResponse("Missing or invalid credentials"),
  403: errorResponse("The key's role may not do this"),
  404: errorResponse("Not found, or another account's resource"),
};

export interface AccountRouteOptions {
  /** Replaces the standard bearer-key middleware (it must still end in admit()). */
  authenticate?: MiddlewareHandler<AppEnv>;
  /** Middleware after authentication and authorisation, before validation. */
  after?: MiddlewareHandler<AppEnv>[];
}

/**
 * An /api/account route: bearer auth, one permission from the table, and the permission written
 * into the OpenAPI operation as `x-permission` so the spec documents (and tests walk) who may call it.
 * Authentication is part of every such route by construction, not a path-pattern middleware.
 */
export function accountRoute<R extends Omit<RouteConfig, "middleware" | "security">>(
  permission: Action,
  route: R,
  options: AccountRouteOptions = {},
) {
  return createRoute({
    ...route,
    middleware: [options.authenticate ?? authenticate, authorize(permission), ...(options.after ?? [])],
    security: [{ bearerAuth: [] }],
    "x-permission": permission,
  });
}

export const dbOf = (c: Context<AppEnv>) => createDb(c.env.DB);

export const hostExports = () => workerExports as unknown as HostExports;

/** The platform's invocation timeout (INVOKE_TIMEOUT_MS); an account's own timeoutMs limit wins (runtime/invoke). */
export function timeoutMsOf(c: Context<AppEnv>): number {
  const n = Number(c.env.INVOKE_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 30_000;
}

/**
 * A router with edgefn's validation hook: zod failures become LivePerson badinput errors, and so does
 * a JSON body nested deeper than any value in it may be plus the request's own structure (fields the
 * schema lets through unchecked, e.g. unknown keys of loose objects, must not carry a value that
 * breaks serialising later; src/json-nesting.ts).
 */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    strict: false, // LivePerson's client asks for `lambdas/` with a trailing slash
    defaultHook: (result) => {
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
        throw new ApiError(400, ErrorCodes.badInput, errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });
      }
      if (result.target === "json" && nestsDeeperThan(result.data, MAX_REQUEST_NESTING)) {
        const errors = [{ path: "(body)", message: nestingRule(MAX_REQUEST_NESTING) }];
        throw new ApiError(400, ErrorCodes.badInput, nestingMessage("the request body", MAX_REQUEST_NESTING), { errors });
      }
    },
  });
}
