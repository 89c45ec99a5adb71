// The signed-in session. It lives in sessionStorage (this tab only, gone when the tab closes), never
// in localStorage: a bearer there would outlive the tab and be readable by every later page load.
import { useEffect, useState } from "preact/hooks";
import type { Role } from "./roles";

export interface Session {
  accountId: string;
  /** A user's bearer (efu_...) or an API key (efk_...). */
  token: string;
  kind: "user" | "key";
  /** From GET /me. */
  roles: Role[];
  /** The actions these roles allow, from GET /me (e.g. "lambda:write"); null: unknown, offer everything. */
  permissions: string[] | null;
  /** What the header shows: the login name, or "API key <its name>". */
  name: string;
  expiresAt?: string;
}

const KEY = "edgefn.console.session";
// The last account id, so that sign-in after a sign-out or a 401 does not ask for it again (not a secret).
const ACCOUNT_KEY = "edgefn.console.accountId";
const listeners = new Set<() => void>();

export function getSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function setSession(session: Session | null) {
  if (session) {
    sessionStorage.setItem(KEY, JSON.stringify(session));
    sessionStorage.setItem(ACCOUNT_KEY, session.accountId);
  } else {
    sessionStorage.removeItem(KEY);
  }
  listeners.forEach((l) => l());
}

export const lastAccountId = () => sessionStorage.getItem(ACCOUNT_KEY) ?? "";

export function useSession() {
  const [session, set] = useState(getSession);
  useEffect(() => {
    const listener = () => set(getSession());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return session;
}
