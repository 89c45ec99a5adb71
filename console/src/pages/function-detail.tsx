// One function's editor: its code (CodeMirror, loaded only here, with JavaScript highlighting and
// a syntax-error lint), environment variables and the event's sample payload side by side; an
// unsaved-changes marker, Ctrl/Cmd+S to save, a warning before leaving unsaved work; deploy with
// a review, the last five versions, and delete while a Draft. Those who may not write the
// function see all of it read-only, and are offered none of the actions.
import { useEffect, useRef, useState } from "preact/hooks";
import { Problem } from "../components/problem";
import { shortActor } from "../components/status";
import { CodeEditor } from "../editor/code-editor";
import { ApiError, call } from "../lib/api";
import { can } from "../lib/roles";
import { Link, navigate } from "../lib/router";
import { useSession } from "../lib/session";
import { DeployDialog } from "./function-deploy";
import { ConfirmDialog } from "./function-dialog";
import { draftOf, fieldOf, isDirty, updateBody, type Draft, type Lambda } from "./function-draft";
import { EnvVars } from "./function-env";
import { Versions } from "./function-versions";
import { useLeaveGuard } from "../lib/leave-guard";
import "./function-editor.css";

type Errors = Partial<Record<"env" | "payload" | "code" | "form", string>>;

export function FunctionDetail({ uuid }: { uuid: string }) {
  const session = useSession();
  const canWrite = can(session, "lambda:write");
  const canDeploy = can(session, "lambda:deploy");
  const [saved, setSaved] = useState<Lambda | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState("");
  const [dialog, setDialog] = useState<"deploy" | "delete" | null>(null);
  const [deleting, setDeleting] = useState<{ busy: boolean; error?: string }>({ busy: false });

  /** A fresh copy of the function from the server becomes what the editor shows. */
  const take = (f: Lambda) => {
    setSaved(f);
    setDraft(draftOf(f));
    setErrors({});
  };

  useEffect(() => {
    setSaved(null);
    call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } }).then(
      ([f]) => (f ? take(f) : setLoadError(new ApiError(404, "It does not exist."))),
      (e: unknown) => setLoadError(e instanceof ApiError ? e : new ApiError(0, String(e))),
    );
  }, [uuid]);

  const dirty = !!(saved && draft && canWrite && isDirty(draft, saved));
  useLeaveGuard(dirty, "This function has unsaved changes. Leave the page and lose them?");

  async function save(): Promise<Lambda | null> {
    if (!saved || !draft || saving) return null;
    if (!isDirty(draft, saved)) return saved;
    const body = updateBody(draft);
    if (!body.ok) {
      setErrors({ payload: body.message });
      return null;
    }
    setSaving(true);
    setErrors({});
    setStatus("Saving…");
    try {
      const f = await call("put", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid }, body: body.body }).catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 304) return null; // nothing changed after all
        throw e;
      });
      if (!f) {
        setStatus("Nothing to save.");
        return saved;
      }
      setSaved(f);
      // Keep what was typed meanwhile; the saved text becomes the baseline.
      setDraft((d) => (d && JSON.stringify(d.env) === JSON.stringify(draft.env) ? { ...d, env: f.implementation.environmentVariables.map((v) => ({ ...v })) } : d));
      setStatus(`Saved as version ${f.version}.`);
      return f;
    } catch (e) {
      const message = e instanceof ApiError ? e.message : String(e);
      setErrors({ [fieldOf(message)]: `Not saved: ${message}` });
      setStatus("");
      return null;
    } finally {
      setSaving(false);
    }
  }

  // Ctrl+S (Cmd+S on a Mac) saves from anywhere on the page, instead of the browser's "save page".
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    if (!canWrite) return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void saveRef.current();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [canWrite]);

  async function openDeploy() {
    // The deploy takes the saved code: unsaved changes are saved first.
    if ((await save()) !== null) setDialog("deploy");
  }

  async function remove() {
    setDeleting({ busy: true });
    try {
      await call("delete", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } });
      navigate("/functions");
    } catch (e) {
      setDeleting({ busy: false, error: e instanceof ApiError ? e.message : String(e) });
    }
  }

  const f = saved;
  return (
    <section aria-labelledby="page-title" class="fn-editor">
      <p>
        <Link href="/functions">← Functions</Link>
      </p>
      <div class="fn-title">
        <h1 id="page-title" tabIndex={-1}>
          {f ? f.name : "Function"}
        </h1>
        {f && <span class={`badge ${f.state.toLowerCase()}`} data-testid="fn-state">{f.state}</span>}
        {dirty && (
          <span class="fn-unsaved" data-testid="unsaved">
            ● Unsaved changes
          </span>
        )}
      </div>
      {loadError && <Problem error={loadError} what="the function" />}
      {f && draft && (
        <>
          <p class="fn-meta">
            {f.description && <span>{f.description}</span>}
            <span>Event: {f.eventId ?? "none"}</span>
            <span>Version {f.version}</span>
            <span>
              Saved {new Date(f.updatedAt).toLocaleString()} by <span title={f.updatedBy}>{shortActor(f.updatedBy)}</span>
            </span>
          </p>
          {f.lastDeployFailure && (
            <p class="error" role="alert" data-testid="deploy-failure">
              The last deploy (version {f.lastDeployFailure.lambdaVersion}, {new Date(f.lastDeployFailure.failedAt).toLocaleString()}) was refused: {f.lastDeployFailure.message}
            </p>
          )}
          {canWrite ? (
            <div class="fn-actions">
              <button type="button" disabled={saving || !dirty} onClick={() => void save()} aria-keyshortcuts="Control+S Meta+S">
                {saving ? "Saving…" : "Save"}
              </button>
              {canDeploy && (
                <button type="button" class="secondary" disabled={saving} onClick={() => void openDeploy()}>
                  {dirty ? "Save and deploy…" : "Deploy…"}
                </button>
              )}
              {f.state === "Draft" && (
                <button type="button" class="secondary danger-text" onClick={() => setDialog("delete")}>
                  Delete
                </button>
              )}
              <span class="note fn-hint">Ctrl+S or ⌘S saves.</span>
              <span role="status" class="fn-status">
                {status}
              </span>
            </div>
          ) : (
            <p class="note" data-testid="read-only">
              Read-only: your role may not change functions.
            </p>
          )}
          {errors.form && (
            <p class="error" role="alert">
              {errors.form}
            </p>
          )}
          <div class="fn-workspace">
            <section class="fn-code" aria-labelledby="fn-code-title">
              <h2 id="fn-code-title">Code</h2>
              <CodeEditor value={draft.code} language="javascript" label={`Code of ${f.name}`} readOnly={!canWrite} testId="code" onChange={(code) => setDraft((d) => d && { ...d, code })} />
              {errors.code && (
                <p class="error" role="alert">
                  {errors.code}
                </p>
              )}
            </section>
            <div class="fn-side">
              <EnvVars env={draft.env} readOnly={!canWrite} error={errors.env} onChange={(env) => setDraft((d) => d && { ...d, env })} />
              <section class="fn-panel" aria-labelledby="fn-payload-title">
                <h2 id="fn-payload-title">Sample payload</h2>
                <p class="note">The event's payload as JSON: what a test sends.</p>
                <CodeEditor value={draft.payload} language="json" label="Sample payload (JSON)" readOnly={!canWrite} testId="payload" onChange={(payload) => setDraft((d) => d && { ...d, payload })} />
                <p class="error" role={errors.payload ? "alert" : undefined}>
                  {errors.payload ?? ""}
                </p>
              </section>
            </div>
          </div>
          <Versions lambda={f} code={draft.code} canRestore={canWrite} dirty={dirty} onRestored={(r) => {
            take(r);
            setStatus(`Restored as version ${r.version}.`);
          }} />
          {dialog === "deploy" && <DeployDialog lambda={f} onClose={() => setDialog(null)} onDeployed={(d) => setSaved(d)} />}
          {dialog === "delete" && (
            <ConfirmDialog
              title={`Delete ${f.name}?`}
              text="The function, its versions and its history are deleted. This cannot be undone."
              confirmLabel="Delete"
              busyLabel="Deleting…"
              busy={deleting.busy}
              error={deleting.error}
              onConfirm={remove}
              onCancel={() => {
                setDialog(null);
                setDeleting({ busy: false });
              }}
            />
          )}
        </>
      )}
    </section>
  );
}
