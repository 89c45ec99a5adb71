// The functions of the account, grouped as LivePerson's UI groups them: Draft, and deployed
// (Productive and Modified). The filter matches names and descriptions and lives in the address
// (?q=), so a filtered list can be bookmarked and survives a reload.
import type { Schemas } from "../../../cli/lib/client-types";
import { Problem } from "../components/problem";
import { call } from "../lib/api";
import { can } from "../lib/roles";
import { Link, navigate, useLocation } from "../lib/router";
import { useSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { WhenBy } from "../components/when-by";

type Lambda = Schemas["Lambda"];

const GROUPS = [
  { id: "draft", title: "Draft", states: ["Draft"] },
  { id: "deployed", title: "Productive and Modified", states: ["Productive", "Modified"] },
] as const;

const matches = (f: Lambda, q: string) => !q || f.name.toLowerCase().includes(q) || f.description.toLowerCase().includes(q);

export function Functions() {
  const { query } = useLocation();
  const filter = query.get("q") ?? "";
  const list = useApi(() => call("get", "/api/account/{accountId}/lambdas"), []);
  const mayCreate = can(useSession(), "lambda:write");
  const setFilter = (q: string) => navigate(q ? `/functions?q=${encodeURIComponent(q)}` : "/functions", { replace: true });
  const q = filter.trim().toLowerCase();
  const all = list.data ?? [];
  const shown = all.filter((f) => matches(f, q));

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Functions
      </h1>
      {mayCreate && (
        <p>
          <Link href="/functions/new">New function</Link>
        </p>
      )}
      <div class="toolbar" role="search">
        <label for="filter">Filter by name or description</label>
        <input id="filter" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </div>
      {list.error && <Problem error={list.error} what="the functions" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && all.length === 0 && <p>This account has no functions yet. Create one with the API or efn (`efn init`, `efn push`).</p>}
      {list.data && all.length > 0 && shown.length === 0 && (
        <p>
          No function matches “{filter}”.{" "}
          <button type="button" class="link" onClick={() => setFilter("")}>
            Clear the filter
          </button>
        </p>
      )}
      <p class="sr-only" aria-live="polite">
        {list.data ? `${shown.length} of ${all.length} functions shown` : ""}
      </p>
      {list.data &&
        shown.length > 0 &&
        GROUPS.map((g) => {
          const rows = shown.filter((f) => (g.states as readonly string[]).includes(f.state)).sort((a, b) => a.name.localeCompare(b.name));
          return (
            <section key={g.id} class="group" aria-labelledby={`group-${g.id}`} data-testid={`group-${g.id}`}>
              <h2 id={`group-${g.id}`}>
                {g.title} <span class="count">({rows.length})</span>
              </h2>
              {rows.length === 0 ? (
                <p class="note">None.</p>
              ) : (
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">State</th>
                        <th scope="col">Event</th>
                        <th scope="col">Last change</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((f) => (
                        <tr key={f.uuid}>
                          <th scope="row">
                            <Link href={`/functions/${encodeURIComponent(f.uuid)}`}>{f.name}</Link>
                            {f.description && <div class="desc">{f.description}</div>}
                          </th>
                          <td>
                            <span class={`badge ${f.state.toLowerCase()}`}>{f.state}</span>
                          </td>
                          <td>{f.eventId ?? "—"}</td>
                          <td>
                            <WhenBy at={f.updatedAt} by={f.updatedBy} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })}
    </section>
  );
}
