import { createMiddleware } from "hono/factory";
import { timingSafeEqualStrings } from "../crypto/hash";
import type { AppEnv } from "../env";
import { ApiError, ErrorCodes } from "../errors";

/**
 * Operator routes (/admin/*, and the scheduler's internal fan-out route): Authorization: Bearer
 * <OPERATOR_TOKEN> (a Worker secret), compared in constant time. Without the secret configured
 * they answer 503 rather than accept anything.
 */
export const operatorOnly = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.OPERATOR_TOKEN;
  if (!expected) throw new ApiError(503, ErrorCodes.general, "OPERATOR_TOKEN is not configured on this deployment");
  const given = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!given || !(await timingSafeEqualStrings(given, expected))) {
    throw new ApiError(401, ErrorCodes.unauthorized, "Operator routes need Authorization: Bearer <OPERATOR_TOKEN>");
  }
  await next();
});
