// The account's logs: full-text search (FTS5) with filters for function, level, status and time,
// newest first and grouped by invocation, each entry expandable to its extras; "Load more" follows
// nextCursor, a live tail polls for newer entries, and the CSV export is fetched with the session's
// bearer (a plain link could not carry it). The search and its filters live in the address, so a
// search can be linked; /logs?requestId=... shows one request's logs.
import type { Schemas } from "../../../cli/lib/client-types";
import { Problem } from "../components/problem";
import { ApiError, call } from "../lib/api";
import { Link, navigate, useLocation } from "../lib/router";
import { useApi } from "../lib/use-api";
import { useEffect, useRef, useState } from "preact/hooks";

type Item = Schemas["LogItem"];
type Status = "SUCCEEDED" | "CODING_FAILURE" | "PLATFORM_FAILURE" | "TIMEOUT";

const LEVELS = ["Debug", "Info", "Warn", "Error"] as const;
const STATUSES: Status[] = ["SUCCEEDED", "CODING_FAILURE", "PLATFORM_FAILURE", "TIMEOUT"];
const TAIL_MS = 2500;
const PAGE = 50;

/** The search as the address holds it. */
interface Search {
  q: string;
  lambdaUUID: string;
  levels: string[];
  status: string;
  requestId: string;
  from: string; // datetime-local, the viewer's time
  to: string;
}

const readSearch = (query: URLSearchParams): Search => ({
  q: query.get("q") ?? "",
  lambdaUUID: query.get("lambdaUUID") ?? "",
  levels: (query.get("levels") ?? "").split(",").filter((l) => (LEVELS as readonly string[]).includes(l)),
  status: query.get("status") ?? "",
  requestId: query.get("requestId") ?? "",
  from: query.get("from") ?? "",
  to: query.get("to") ?? "",
});

function searchPath(s: Search) {
  const query = new URLSearchParams();
  for (const key of ["q", "lambdaUUID", "status", "requestId", "from", "to"] as const) if (s[key]) query.set(key, s[key]);
  if (s.levels.length) query.set("levels", s.levels.join(","));
  const q = query.toString();
  return q ? `/logs?${q}` : "/logs";
}

/** A datetime-local value as the API's ISO time (empty stays empty). */
const iso = (local: string) => {
  const t = local ? new Date(local).getTime() : NaN;
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

function apiQuery(s: Search) {
  return {
    q: s.q.trim() || undefined,
    lambdaUUID: s.lambdaUUID || undefined,
    levels: s.levels.length ? s.levels.join(",") : undefined,
    status: (s.status || undefined) as Status | undefined,
    requestId: s.requestId || undefined,
    from: iso(s.from),
    to: iso(s.to),
  };
}

const keyOf = (i: Item) => `${i.invocationId}|${i.timestamp}|${i.level}|${i.message}|${JSON.stringify(i.extras)}`;

/** Consecutive runs of one invocation's entries (the list is newest first). */
function groups(items: Item[]) {
  const out: { id: string; items: Item[] }[] = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (last && last.id === item.invocationId) last.items.push(item);
    else out.push({ id: item.invocationId, items: [item] });
  }
  return out;
}

function pretty(extras: unknown[]) {
  try {
    return JSON.stringify(extras, null, 2);
  } catch {
    return String(extras);
  }
}

export function Logs() {
  const { query } = useLocation();
  const search = readSearch(query);
  const path = searchPath(search);
  const functions = useApi(() => call("get", "/api/account/{accountId}/lambdas"), []);
  const names = new Map((functions.data ?? []).map((f) => [f.uuid, f.name]));

  const [draft, setDraft] = useState(search.q);
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [emptyRead, setEmptyRead] = useState(false);
  const [queryError, setQueryError] = useState("");
  const [error, setError] = useState<ApiError>();
  const [tail, setTail] = useState(false);
  const [exporting, setExporting] = useState(false);
  const generation = useRef(0);
  const itemsRef = useRef<Item[]>([]);
  itemsRef.current = items;

  async function read(cursorIn: string | null, gen: number) {
    setLoading(true);
    try {
      const page = await call("get", "/api/account/{accountId}/logs", { query: { ...apiQuery(search), cursor: cursorIn ?? undefined, limit: PAGE } });
      if (gen !== generation.current) return;
      setItems((old) => (cursorIn ? [...old, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setEmptyRead(page.items.length === 0 && page.nextCursor !== null);
      setQueryError("");
      setError(undefined);
    } catch (e) {
      if (gen !== generation.current) return;
      const err = e instanceof ApiError ? e : new ApiError(0, String(e));
      if (err.status === 400) setQueryError(err.message);
      else setError(err);
      if (!cursorIn) setItems([]);
      setCursor(null);
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  }

  // A new search whenever the address changes.
  useEffect(() => {
    setDraft(search.q);
    const gen = ++generation.current;
    void read(null, gen);
  }, [path]);

  // The live tail: entries from the newest one seen on, prepended without duplicates.
  useEffect(() => {
    if (!tail) return;
    let stopped = false;
    const timer = setInterval(async () => {
      const newest = itemsRef.current[0]?.timestamp;
      const gen = generation.current;
      try {
        const page = await call("get", "/api/account/{accountId}/logs", {
          query: { ...apiQuery(search), from: newest !== undefined ? String(newest) : apiQuery(search).from, limit: 200 },
        });
        if (stopped || gen !== generation.current || page.items.length === 0) return;
        setItems((old) => {
          const seen = new Set(old.map(keyOf));
          const fresh = page.items.filter((i) => !seen.has(keyOf(i)));
          return fresh.length ? [...fresh, ...old] : old;
        });
      } catch {
        // the next poll tries again; a 401 has already ended the session
      }
    }, TAIL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tail, path]);

  const update = (change: Partial<Search>) => navigate(searchPath({ ...search, ...change }), { replace: true });

  async function exportCsv() {
    setExporting(true);
    try {
      const csv = await call("get", "/api/account/{accountId}/logs/export", {
        query: { lambdaUUID: search.lambdaUUID || undefined, startTimestamp: iso(search.from), endTimestamp: iso(search.to), filterLevels: search.levels.length ? search.levels : undefined },
      });
      const url = URL.createObjectURL(new Blob([String(csv ?? "")], { type: "text/csv" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `logs-${search.lambdaUUID || "account"}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
    } finally {
      setExporting(false);
    }
  }

  const shown = groups(items);
  const count = loading && items.length === 0 ? "" : `${items.length} ${items.length === 1 ? "entry" : "entries"} in ${shown.length} ${shown.length === 1 ? "invocation" : "invocations"}${cursor ? ", more to load" : ""}`;

  return (
    <section aria-labelledby="page-title" class="logs">
      <h1 id="page-title" tabIndex={-1}>
        Logs
      </h1>
      <form
        class="log-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ q: draft });
        }}
      >
        <div class="log-q">
          <label for="log-q">Search the messages and extras</label>
          <div class="row">
            <input id="log-q" type="search" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} aria-describedby="log-q-hint log-q-error" aria-invalid={queryError ? "true" : undefined} />
            <button type="submit">Search</button>
          </div>
          <p id="log-q-hint" class="desc">
            Words, "phrases", prefix*, AND, OR, NOT and parentheses.
          </p>
          <p id="log-q-error" class="error" aria-live="polite">
            {queryError}
          </p>
        </div>
        <div class="log-filters">
          <div>
            <label for="log-fn">Function</label>
            <select id="log-fn" value={search.lambdaUUID} onChange={(e) => update({ lambdaUUID: e.currentTarget.value })}>
              <option value="">All functions</option>
              {(functions.data ?? [])
                .slice()
                .sort((a, b) => a.name.localeCompare(b.name))
                .map((f) => (
                  <option key={f.uuid} value={f.uuid}>
                    {f.name}
                  </option>
                ))}
            </select>
          </div>
          <fieldset>
            <legend>Levels</legend>
            <div class="levels">
              {LEVELS.map((l) => (
                <label key={l} class="choice">
                  <input
                    type="checkbox"
                    checked={search.levels.includes(l)}
                    onChange={(e) => update({ levels: e.currentTarget.checked ? [...search.levels, l] : search.levels.filter((x) => x !== l) })}
                  />
                  {l}
                </label>
              ))}
            </div>
          </fieldset>
          <div>
            <label for="log-status">Status</label>
            <select id="log-status" value={search.status} onChange={(e) => update({ status: e.currentTarget.value })}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="log-from">From</label>
            <input id="log-from" type="datetime-local" step="1" value={search.from} onChange={(e) => update({ from: e.currentTarget.value })} />
          </div>
          <div>
            <label for="log-to">To</label>
            <input id="log-to" type="datetime-local" step="1" value={search.to} onChange={(e) => update({ to: e.currentTarget.value })} />
          </div>
        </div>
      </form>
      {search.requestId && (
        <p>
          Request <code>{search.requestId}</code> only.{" "}
          <button type="button" class="link" onClick={() => update({ requestId: "" })}>
            Show all requests
          </button>
        </p>
      )}
      <div class="log-actions">
        <label class="choice">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.currentTarget.checked)} />
          Live tail (new entries every few seconds)
        </label>
        <button type="button" class="secondary" onClick={exportCsv} disabled={exporting}>
          {exporting ? "Exporting…" : "Export CSV"}
        </button>
      </div>
      {error && <Problem error={error} what="the logs" />}
      <p class="sr-only" aria-live="polite" data-testid="log-count">
        {count}
      </p>
      {loading && items.length === 0 && <p>Loading…</p>}
      {!loading && items.length === 0 && !cursor && !queryError && !error && <p class="note">No log entries match.</p>}
      <ol class="invocations">
        {shown.map((g, n) => {
          const first = g.items[0]!;
          return (
            <li key={`${g.id}-${n}`} class="invocation" data-testid="invocation">
              <div class="inv-head">
                <strong>{names.get(first.lambdaUUID) ?? first.lambdaUUID}</strong>
                {search.status && <span class="badge">{search.status}</span>}
                <time dateTime={new Date(first.timestamp).toISOString()}>{new Date(first.timestamp).toLocaleString()}</time>
                <span class="desc">
                  invocation <code>{g.id}</code>
                </span>
                <span class="desc">
                  request{" "}
                  <Link href={`/logs?requestId=${encodeURIComponent(first.requestId)}`}>
                    <code>{first.requestId}</code>
                  </Link>
                </span>
              </div>
              <ul class="entries">
                {g.items.map((i, k) => (
                  <li key={k} class={`entry level-${i.level.toLowerCase()}`}>
                    {i.extras.length > 0 ? (
                      <details>
                        <summary>
                          <Entry item={i} />
                        </summary>
                        <pre class="extras">{pretty(i.extras)}</pre>
                      </details>
                    ) : (
                      <Entry item={i} />
                    )}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
      {cursor && (
        <p>
          {emptyRead && <span class="note">This read found no entries yet, but more remain. </span>}
          <button type="button" class="secondary" disabled={loading} onClick={() => void read(cursor, generation.current)}>
            {loading ? "Loading…" : "Load more"}
          </button>
        </p>
      )}
    </section>
  );
}

function Entry({ item }: { item: Item }) {
  return (
    <span class="entry-line">
      <span class="level">{item.level}</span> <time dateTime={new Date(item.timestamp).toISOString()}>{new Date(item.timestamp).toLocaleTimeString()}</time> <span class="message">{item.message}</span>
    </span>
  );
}
