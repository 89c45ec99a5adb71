// The console's only way to the platform: the public API, typed by the description generated from
// /api/openapi.json (cli/lib/api-types.d.ts, shared with efn). A 401 on a signed-in call ends the
// session and returns to sign-in, which brings the person back to this page afterwards.
import type { Input, Method, Op, Paths, Success } from "../../../cli/lib/client-types";
import { currentPath, navigate } from "./router";
import { getSession, setSession } from "./session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

interface Options {
  /** false for sign-in itself: its 401 is a wrong password, not an ended session. */
  session?: boolean;
  accountId?: string;
  token?: string;
}

/** The sign-in page, remembering the page `from` to return to; `ended`: say that the session ended. */
export function signInPath(from = currentPath(), ended = false) {
  const query = new URLSearchParams();
  if (!from.startsWith("/sign-in") && from !== "/") query.set("next", from);
  if (ended) query.set("ended", "1");
  const q = query.toString();
  return q ? `/sign-in?${q}` : "/sign-in";
}

export async function call<P extends keyof Paths, M extends keyof Paths[P] & Method>(
  method: M,
  path: P,
  input?: Input<Op<P, M>>,
  options: Options = {},
): Promise<Success<Op<P, M>>> {
  const session = getSession();
  const accountId = options.accountId ?? session?.accountId ?? "";
  const token = options.token ?? (options.session === false ? undefined : session?.token);
  const given = (input ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  const params: Record<string, unknown> = { accountId, ...given.params };
  const url = new URL(String(path).replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params[name] ?? ""))), location.origin);
  for (const [key, value] of Object.entries(given.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null && v !== "") url.searchParams.append(key, String(v));
  }
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (given.body !== undefined) headers["content-type"] = "application/json";

  let res: Response;
  try {
    res = await fetch(url, { method: method.toUpperCase(), headers, body: given.body === undefined ? undefined : JSON.stringify(given.body) });
  } catch {
    throw new ApiError(0, "The platform cannot be reached. Check the connection and try again.");
  }
  const text = await res.text();
  let data: any = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (res.ok) return data;

  if (res.status === 401 && options.session !== false && getSession()) {
    setSession(null);
    navigate(signInPath(currentPath(), true), { replace: true });
  }
  const message = typeof data?.errorMsg === "string" ? data.errorMsg : typeof data?.message === "string" ? data.message : `${res.status} ${res.statusText}`;
  const retryAfter = Number(res.headers.get("retry-after")) || undefined;
  throw new ApiError(res.status, message, data?.errorCode, retryAfter);
}
