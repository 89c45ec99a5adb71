import { requestId } from "hono/request-id";
import { ApiError, ErrorCodes } from "./errors";
import { activityRoutes } from "./api/activities";
import { adminRoutes } from "./api/admin";
import { apiKeyRoutes } from "./api/api-keys";
import { benchSeedRoutes } from "./api/bench-seed";
import { deploymentRoutes } from "./api/deployments";
import { domainRoutes } from "./api/domain";
import { emailReportRoutes } from "./api/email-report";
import { eventInvokeRoutes } from "./api/event-invoke";
import { eventRoutes } from "./api/events";
import { functionRoutes } from "./api/functions";
import { onError } from "./api/error-handler";
import { invocationRoutes } from "./api/invocations";
import { invokeRoutes } from "./api/invoke";
import { lambdaRoutes } from "./api/lambdas";
import { logRoutes } from "./api/logs";
import { metricsRoutes } from "./api/metrics";
import { oauthRoutes } from "./api/oauth";
import { newRouter } from "./api/route";
import { proxySettingRoutes } from "./api/proxy-settings";
import { reportRoutes } from "./api/reports";
import { runtimeRoutes } from "./api/runtimes";
import { scheduleRoutes } from "./api/schedules";
import { secretRoutes } from "./api/secrets";
import { signInRoutes } from "./api/sign-in";
import { userRoutes } from "./api/users";
import { templateRoutes } from "./api/templates";

export function createApp() {
  const app = newRouter();

  // X-Request-ID is honoured when the caller sends a well-formed one, and echoed either way.
  app.use("*", requestId({ headerName: "X-Request-ID" }));
  app.onError(onError);
  app.notFound((c) => {
    throw new ApiError(404, ErrorCodes.notFound, `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.route("/", adminRoutes);
  app.route("/", benchSeedRoutes); // 404 unless EDGEFN_BENCH=1 (npm run bench)
  app.route("/", apiKeyRoutes);
  app.route("/", userRoutes);
  app.route("/", signInRoutes);
  app.route("/", lambdaRoutes);
  app.route("/", deploymentRoutes);
  app.route("/", runtimeRoutes);
  app.route("/", invokeRoutes);
  app.route("/", invocationRoutes);
  app.route("/", secretRoutes);
  app.route("/", proxySettingRoutes);
  app.route("/", scheduleRoutes);
  app.route("/", metricsRoutes); // before reportRoutes: /reports/summary and /reports/invocations/{uuid}
  app.route("/", reportRoutes);
  app.route("/", logRoutes);
  app.route("/", domainRoutes);
  app.route("/", oauthRoutes);
  app.route("/", eventRoutes);
  app.route("/", eventInvokeRoutes);
  app.route("/", functionRoutes);
  app.route("/", templateRoutes);
  app.route("/", activityRoutes);
  app.route("/", emailReportRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key of the account (efk_...), created with POST /admin/accounts or /api-keys, or a signed-in user's bearer (efu_..., from POST /api/account/{accountId}/login)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
    type: "http",
    scheme: "bearer",
    description: "The deployment's OPERATOR_TOKEN secret",
  });
  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "edgefn",
      version: "0.1.0",
      description: "Function-as-a-Service on Cloudflare Workers, speaking LivePerson Functions' V1 API. Errors are {errorCode, errorMsg, code, message, requestId}: LivePerson's V1 shape and its V2 shape (code/message) side by side.",
    },
  });
  return app;
}
