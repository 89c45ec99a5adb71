import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { ApiError, ErrorCodes } from "../errors";
import * as context from "../services/context-store";
import { readSecretValue, updateSecretValue } from "../services/secrets";

export interface ToolbeltProps {
  accountId: string;
  lambdaUuid: string;
}

/**
 * What every toolbelt method answers. Errors lose their class (and extra fields) across the RPC
 * boundary, so failures travel as data and the isolate's toolbelt module rebuilds SecretError /
 * ContextServiceError from `code` and `message`. Messages name keys and rules, never values.
 */
export type ToolbeltResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

type Family = "secret" | "context";

const FAMILY_CODES: Record<Family, { badInput: string; failed: string; prefix: string }> = {
  secret: { badInput: ErrorCodes.secretInvalidFormat, failed: ErrorCodes.secretOpFailed, prefix: "com.liveperson.faas.secret." },
  context: { badInput: ErrorCodes.contextInvalidInput, failed: ErrorCodes.contextOpFailed, prefix: "com.liveperson.faas.context." },
};

/**
 * Platform services for brand code: what the isolate's toolbelt module (isolate/toolbelt.js) calls.
 * The account comes only from the scope the platform gives it; no method takes an account, and any
 * extra argument a function passes is ignored. Reached through the invocation's channel during an
 * invocation (runtime/invocation-channel.ts), else through the Toolbelt entrypoint below.
 */
export class ToolbeltService {
  constructor(
    private readonly env: Env,
    /** null: a stub made without props; every call then fails closed. */
    private readonly scope: ToolbeltProps | null,
  ) {}

  // ------------------------------------------------------------------ SecretClient

  /** The latest value of the account's secret (no cache: a PUT or DELETE is seen on the next read). */
  async readSecret(key: unknown): Promise<ToolbeltResult<{ key: string; value: string }>> {
    return this.settle("secret", (accountId) => {
      if (typeof key !== "string") throw new ApiError(400, ErrorCodes.secretInvalidFormat, "readSecret expects the secret's key as a string");
      return readSecretValue(this.env, accountId, key);
    });
  }

  /** Rotates an existing secret of the account, with the API's validation; audited as the function. */
  async updateSecret(entry: unknown): Promise<ToolbeltResult<{ key: string; value: string }>> {
    return this.settle("secret", (accountId, lambdaUuid) => {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
        throw new ApiError(400, ErrorCodes.secretInvalidFormat, "updateSecret expects an object { key, value }");
      }
      const { key, value } = entry as { key?: unknown; value?: unknown };
      return updateSecretValue(this.env, accountId, `function:${lambdaUuid}`, { key: key as string, value });
    });
  }

  // ------------------------------------------------------------------ ContextServiceClient

  async createNamespace(ns: unknown, options?: unknown) {
    return this.settle("context", (a) => context.createNamespace(this.env, a, ns, options));
  }
  async deleteNamespace(ns: unknown) {
    return this.settle("context", (a) => context.deleteNamespace(this.env, a, ns));
  }
  async getListOfNamespaces() {
    return this.settle("context", (a) => context.listNamespaces(this.env, a));
  }
  async setPropertiesInNamespace(ns: unknown, props: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.setProperties(this.env, a, ns, props, sessionId));
  }
  async updatePropertiesInNamespace(ns: unknown, props: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.updateProperties(this.env, a, ns, props, sessionId));
  }
  async getAllPropertiesInSession(ns: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.getAllProperties(this.env, a, ns, sessionId));
  }
  async getSelectedPropertiesInSession(ns: unknown, names: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.getSelectedProperties(this.env, a, ns, names, sessionId));
  }
  async getPropertyInSession(ns: unknown, name: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.getProperty(this.env, a, ns, name, sessionId));
  }
  async deletePropertyInSession(ns: unknown, name: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.deleteProperty(this.env, a, ns, name, sessionId));
  }
  async deleteSession(ns: unknown, sessionId?: unknown) {
    return this.settle("context", (a) => context.deleteSession(this.env, a, ns, sessionId));
  }
  async getListOfSessions(ns: unknown) {
    return this.settle("context", (a) => context.listSessions(this.env, a, ns));
  }

  // ------------------------------------------------------------------ LpClient

  /**
   * Where LpClient finds LivePerson's CSDS: platform configuration, not a secret. The isolate makes
   * the requests itself (through its fetch and the allow-list); the host only says where to go.
   */
  async lpClientSettings(): Promise<ToolbeltResult<{ csdsOrigin: string }>> {
    if (!this.scope) return { ok: false, code: "com.liveperson.faas.csds.domain.not-found", message: "Toolbelt stub without an account" };
    return { ok: true, value: { csdsOrigin: csdsOrigin(this.env.CSDS_HOST) } };
  }

  // ------------------------------------------------------------------ plumbing

  private async settle<T>(family: Family, op: (accountId: string, lambdaUuid: string) => Promise<T>): Promise<ToolbeltResult<T>> {
    const codes = FAMILY_CODES[family];
    const { accountId, lambdaUuid } = this.scope ?? {};
    try {
      if (!accountId || lambdaUuid === undefined) {
        throw new Error("Toolbelt stub without an account: the platform must create it with props { accountId, lambdaUuid }");
      }
      return { ok: true, value: await op(accountId, lambdaUuid) };
    } catch (e) {
      if (e instanceof ApiError && e.status < 500) {
        const code = e.errorCode.startsWith(codes.prefix) ? e.errorCode : e.status === 400 ? codes.badInput : codes.failed;
        return { ok: false, code, message: e.errorMsg };
      }
      // A platform fault (KEK missing, damaged record, KV down): the detail goes to the platform's
      // log, the function gets a generic answer. Neither carries a secret value.
      console.error(JSON.stringify({ msg: "toolbelt failure", family, accountId, lambdaUuid, error: e instanceof ApiError ? e.errorMsg : String(e) }));
      return { ok: false, code: codes.failed, message: `The platform could not complete the ${family} operation; try again later` };
    }
  }
}

/** CSDS_HOST as an origin: a bare host name means https; a value with a scheme is kept as it is. */
export function csdsOrigin(configured: string | undefined): string {
  const value = (configured ?? "").trim() || "api.liveperson.net";
  return /^https?:\/\//i.test(value) ? value.replace(/\/+$/, "") : `https://${value}`;
}

/** The methods brand code may call (ToolbeltService's public ones). */
export const TOOLBELT_METHODS = new Set([
  "readSecret", "updateSecret",
  "createNamespace", "deleteNamespace", "getListOfNamespaces", "setPropertiesInNamespace", "updatePropertiesInNamespace",
  "getAllPropertiesInSession", "getSelectedPropertiesInSession", "getPropertyInSession", "deletePropertyInSession",
  "deleteSession", "getListOfSessions",
  "lpClientSettings",
] as const);
export type ToolbeltMethod = typeof TOOLBELT_METHODS extends Set<infer M> ? M : never;

export const isToolbeltMethod = (method: unknown): method is ToolbeltMethod => TOOLBELT_METHODS.has(method as ToolbeltMethod);

/** Calls one method by name with the arguments brand code gave (an unknown name is refused). */
export async function callToolbelt(service: ToolbeltService, method: unknown, args: unknown): Promise<ToolbeltResult<unknown>> {
  if (!isToolbeltMethod(method)) return { ok: false, code: "com.liveperson.faas.es.badinput", message: `The toolbelt has no method ${String(method).slice(0, 100)}` };
  const list = Array.isArray(args) ? args : [];
  return (service[method] as (...a: unknown[]) => Promise<ToolbeltResult<unknown>>)(...list);
}

/**
 * The toolbelt for calls made outside an invocation (module scope), through the EDGEFN_TOOLBELT
 * stub in the isolate's env. The account comes from props, set by the platform when it builds the
 * isolate (`ctx.exports.Toolbelt({ props })`). It is not routed from the Worker's HTTP handler, and
 * a stub's fetch() answers 404: it serves RPC only.
 */
export class Toolbelt extends WorkerEntrypoint<Env, ToolbeltProps> {
  override async fetch(): Promise<Response> {
    return new Response("The toolbelt serves RPC only", { status: 404 });
  }

  async whoami(): Promise<ToolbeltProps> {
    const scope = this.scope();
    if (!scope) throw new Error("Toolbelt stub without an account: the platform must create it with props { accountId, lambdaUuid }");
    return scope;
  }

  readSecret(key: unknown) {
    return this.service().readSecret(key);
  }
  updateSecret(entry: unknown) {
    return this.service().updateSecret(entry);
  }
  createNamespace(...args: unknown[]) {
    return callToolbelt(this.service(), "createNamespace", args);
  }
  deleteNamespace(...args: unknown[]) {
    return callToolbelt(this.service(), "deleteNamespace", args);
  }
  getListOfNamespaces() {
    return this.service().getListOfNamespaces();
  }
  setPropertiesInNamespace(...args: unknown[]) {
    return callToolbelt(this.service(), "setPropertiesInNamespace", args);
  }
  updatePropertiesInNamespace(...args: unknown[]) {
    return callToolbelt(this.service(), "updatePropertiesInNamespace", args);
  }
  getAllPropertiesInSession(...args: unknown[]) {
    return callToolbelt(this.service(), "getAllPropertiesInSession", args);
  }
  getSelectedPropertiesInSession(...args: unknown[]) {
    return callToolbelt(this.service(), "getSelectedPropertiesInSession", args);
  }
  getPropertyInSession(...args: unknown[]) {
    return callToolbelt(this.service(), "getPropertyInSession", args);
  }
  deletePropertyInSession(...args: unknown[]) {
    return callToolbelt(this.service(), "deletePropertyInSession", args);
  }
  deleteSession(...args: unknown[]) {
    return callToolbelt(this.service(), "deleteSession", args);
  }
  getListOfSessions(...args: unknown[]) {
    return callToolbelt(this.service(), "getListOfSessions", args);
  }
  lpClientSettings() {
    return this.service().lpClientSettings();
  }

  /**
   * OrchestratorClient outside an invocation (module scope, or work left running after the answer):
   * refused, as no calling invocation exists to count the depth from or to name as the parent.
   */
  async invokeFunction(): Promise<ToolbeltResult<never>> {
    return {
      ok: false,
      code: "com.liveperson.faas.orchestrator-fn-general",
      message: "OrchestratorClient().invoke() works only while the function is being invoked (not at module scope, nor after it answered)",
    };
  }

  /** The account and function this stub was made for; null (every call fails closed) without props. */
  private scope(): ToolbeltProps | null {
    const props = this.ctx.props as Partial<ToolbeltProps> | undefined;
    if (!props || typeof props.accountId !== "string" || !props.accountId || typeof props.lambdaUuid !== "string") return null;
    return { accountId: props.accountId, lambdaUuid: props.lambdaUuid };
  }

  private service(): ToolbeltService {
    return new ToolbeltService(this.env, this.scope());
  }
}
