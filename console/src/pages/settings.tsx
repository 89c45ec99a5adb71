// Settings: one tab per concern, each its own address (/settings/<tab>) so it can be bookmarked.
// A tab is offered when the session may read what it shows; inside, what the session may not change
// is not offered either (the server still refuses it).
import { can } from "../lib/roles";
import { Link } from "../lib/router";
import { getSession } from "../lib/session";
import { Later } from "./later";
import { AllowList } from "./settings/allow-list";
import { ApiKeys } from "./settings/api-keys";
import { EmailReports } from "./settings/email-reports";
import { OAuthClients } from "./settings/oauth-clients";
import { Secrets } from "./settings/secrets";
import { Users } from "./settings/users";

interface Tab {
  id: string;
  label: string;
  /** Offered when the session may do any of these. */
  actions: string[];
  render: () => preact.JSX.Element;
}

const TABS: Tab[] = [
  { id: "allow-list", label: "Allow-list", actions: ["proxy:read"], render: () => <AllowList /> },
  { id: "secrets", label: "Secrets", actions: ["secret:read"], render: () => <Secrets /> },
  { id: "email-reports", label: "Email reports", actions: ["email-recipients:read", "email-report:read"], render: () => <EmailReports /> },
  { id: "users", label: "Users", actions: ["user:manage"], render: () => <Users /> },
  { id: "api-keys", label: "API keys", actions: ["apikey:manage"], render: () => <ApiKeys /> },
  { id: "oauth-clients", label: "OAuth clients", actions: ["oauth:manage"], render: () => <OAuthClients /> },
];

export function Settings({ tab }: { tab?: string }) {
  const session = getSession();
  const tabs = TABS.filter((t) => can(session, ...t.actions));
  const current = tabs.find((t) => t.id === tab) ?? (tab ? undefined : tabs[0]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Settings
      </h1>
      <nav aria-label="Settings" class="tabs">
        <ul>
          {tabs.map((t) => (
            <li key={t.id}>
              <Link href={`/settings/${t.id}`} aria-current={t === current ? "page" : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current ? current.render() : <Later title="Not here" text="There is no such settings page, or this session may not see it." />}
    </section>
  );
}
