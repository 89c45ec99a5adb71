// The app shell: sign-in when there is no session, else the header, the navigation of the six
// sections and the page of the current path. After each navigation the page's heading takes the
// focus, so a screen reader announces the new page and the keyboard starts from there.
import { useEffect } from "preact/hooks";
import { call, signInPath } from "./lib/api";
import { can, SETTINGS_ACTIONS } from "./lib/roles";
import { Link, navigate, useLocation } from "./lib/router";
import { getSession, setSession, useSession } from "./lib/session";
import { focusPageHeading, lazyPage } from "./lib/lazy-page";
import { Home } from "./pages/home";
import { Later } from "./pages/later";
import { SignIn } from "./pages/sign-in";

// Every section but Home is its own chunk, loaded when first shown (the editor's CodeMirror loads
// later still, inside its page).
const Deployments = lazyPage(() => import("./pages/deployments").then((m) => m.Deployments));
const FunctionCreate = lazyPage(() => import("./pages/function-create").then((m) => m.FunctionCreate));
const FunctionDetail = lazyPage(() => import("./pages/function-detail").then((m) => m.FunctionDetail));
const FunctionTest = lazyPage(() => import("./pages/function-test").then((m) => m.FunctionTest));
const Functions = lazyPage(() => import("./pages/functions").then((m) => m.Functions));
const AcceptInvitation = lazyPage(() => import("./pages/settings/invitation").then((m) => m.AcceptInvitation));
const PasswordPage = lazyPage(() => import("./pages/password").then((m) => m.PasswordPage));
const Logs = lazyPage(() => import("./pages/logs").then((m) => m.Logs));
const ScheduleEdit = lazyPage(() => import("./pages/schedule-edit").then((m) => m.ScheduleEdit));
const Schedules = lazyPage(() => import("./pages/schedules").then((m) => m.Schedules));
const Settings = lazyPage(() => import("./pages/settings").then((m) => m.Settings));
const Simulator = lazyPage(() => import("./pages/simulator").then((m) => m.Simulator));

interface Section {
  path: string;
  label: string;
  /** Shown when the session may do any of these (GET /me's permissions). */
  actions?: string[];
}

export const SECTIONS: Section[] = [
  { path: "/", label: "Home" },
  { path: "/functions", label: "Functions" },
  { path: "/deployments", label: "Deployments" },
  { path: "/schedules", label: "Schedules" },
  { path: "/logs", label: "Logs" },
  { path: "/settings", label: "Settings", actions: SETTINGS_ACTIONS },
];

/** The pages for people without a session. */
const PUBLIC_PATHS = ["/sign-in", "/invitation"];

const isCurrent = (section: string, pathname: string) => (section === "/" ? pathname === "/" : pathname === section || pathname.startsWith(`${section}/`));

/** The pages below a section, most specific first: [pattern, page of the decoded path parameters]. */
const ROUTES: [RegExp, (...params: string[]) => preact.JSX.Element][] = [
  [/^\/functions\/new$/, () => <FunctionCreate />],
  [/^\/functions\/([^/]+)$/, (uuid) => <FunctionDetail uuid={uuid!} />],
  [/^\/deployments\/([^/]+)\/test$/, (uuid) => <FunctionTest uuid={uuid!} />],
  [/^\/deployments\/([^/]+)\/simulator$/, (uuid) => <Simulator uuid={uuid!} />],
  [/^\/schedules\/new$/, () => <ScheduleEdit />],
  [/^\/schedules\/([^/]+)$/, (id) => <ScheduleEdit id={id} />],
  [/^\/settings(?:\/([^/]+))?$/, (tab) => <Settings tab={tab} />],
  [/^\/password$/, () => <PasswordPage />],
];

const SECTION_PAGES: Record<string, () => preact.JSX.Element> = {
  "/": () => <Home />,
  "/functions": () => <Functions />,
  "/deployments": () => <Deployments />,
  "/schedules": () => <Schedules />,
  "/logs": () => <Logs />,
};

function page(pathname: string) {
  for (const [pattern, render] of ROUTES) {
    const m = pathname.match(pattern);
    if (m) return render(...m.slice(1).map((p) => (p === undefined ? p! : decodeURIComponent(p))));
  }
  const render = SECTION_PAGES[pathname];
  return render ? render() : <Later title="Page not found" text="There is no page at this address." />;
}

async function signOut() {
  const session = getSession();
  // A user's session ends on the server too; an API key stays valid (it is only forgotten here).
  if (session?.kind === "user") await call("post", "/api/account/{accountId}/logout", {}).catch(() => undefined);
  setSession(null);
  navigate("/sign-in", { replace: true });
}

export function App() {
  const { pathname } = useLocation();
  const session = useSession();

  useEffect(() => {
    if (!session && !PUBLIC_PATHS.includes(pathname)) navigate(signInPath(), { replace: true });
    if (session && pathname === "/sign-in") navigate("/", { replace: true });
  }, [session, pathname]);

  useEffect(() => {
    const section = SECTIONS.find((s) => isCurrent(s.path, pathname));
    document.title = `${section?.label ?? "edgefn"} · edgefn`;
    focusPageHeading();
  }, [pathname]);

  // An invited person has no session yet; the page is the same whether or not this tab has one.
  if (pathname === "/invitation") return <AcceptInvitation />;
  if (!session || pathname === "/sign-in") return <SignIn />;

  const sections = SECTIONS.filter((s) => !s.actions || can(session, ...s.actions));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">edgefn</span>
        <span class="who">
          <span class="account">Account {session.accountId}</span>
          <span>
            {session.name}
            <span class="roles"> · {session.roles.map((r) => r.replace("FaaS-", "")).join(", ")}</span>
          </span>
        </span>
        {session.kind === "user" && (
          <Link href="/password" class="who-link" aria-current={pathname === "/password" ? "page" : undefined}>
            Change password
          </Link>
        )}
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Sections" class="sections">
        <ul>
          {sections.map((s) => (
            <li key={s.path}>
              <Link href={s.path} aria-current={isCurrent(s.path, pathname) ? "page" : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {page(pathname)}
      </main>
    </div>
  );
}
