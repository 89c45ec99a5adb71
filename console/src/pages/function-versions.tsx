// The last five saved versions of the code (who saved each, and when), a diff of any of them
// against the code in the editor, and a restore (saved as a new version, after a confirmation).
import { useState } from "preact/hooks";
import { Problem } from "../components/problem";
import { DiffView } from "../editor/diff-view";
import { ApiError, call } from "../lib/api";
import { useApi } from "../lib/use-api";
import { ConfirmDialog } from "./function-dialog";
import type { Lambda } from "./function-draft";
import { WhenBy } from "../components/when-by";

interface Props {
  lambda: Lambda;
  /** The code in the editor, saved or not: what a version is compared with. */
  code: string;
  canRestore: boolean;
  dirty: boolean;
  onRestored: (f: Lambda) => void;
}

export function Versions({ lambda, code, canRestore, dirty, onRestored }: Props) {
  // Read again whenever the function gets a new version (save, restore) or is deployed.
  const versions = useApi(() => call("get", "/api/account/{accountId}/lambdas/{uuid}/versions", { params: { uuid: lambda.uuid } }), [lambda.uuid, lambda.version, lambda.lastDeployment?.lambdaVersion]);
  const [compared, setCompared] = useState<number | null>(null);
  const [restoring, setRestoring] = useState<{ version: number; busy: boolean; error?: string } | null>(null);
  const shown = versions.data?.find((v) => v.version === compared);

  async function restore(version: number) {
    setRestoring({ version, busy: true });
    try {
      const f = await call("post", "/api/account/{accountId}/lambdas/{uuid}/versions/{version}/restore", { params: { uuid: lambda.uuid, version } });
      setRestoring(null);
      setCompared(null);
      onRestored(f);
    } catch (e) {
      setRestoring({ version, busy: false, error: e instanceof ApiError ? e.message : String(e) });
    }
  }

  return (
    <section class="fn-versions" aria-labelledby="fn-versions-title">
      <h2 id="fn-versions-title">Versions</h2>
      <p class="note">The last five saved versions of the code, newest first.</p>
      {versions.error && <Problem error={versions.error} what="the versions" />}
      {versions.data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.map((v) => (
                <tr key={v.version} data-testid={`version-${v.version}`}>
                  <th scope="row">
                    {v.version}
                    {v.isCurrent && <span class="badge fn-tag">current</span>}
                    {v.isDeployed && <span class="badge productive fn-tag">deployed</span>}
                  </th>
                  <td>
                    <WhenBy at={v.savedAt} by={v.savedBy} />
                  </td>
                  <td>
                    <div class="fn-version-actions">
                    <button type="button" class="secondary" aria-pressed={compared === v.version} aria-label={`Compare version ${v.version} with the editor`} onClick={() => setCompared(compared === v.version ? null : v.version)}>
                      Compare
                    </button>
                    {canRestore && !v.isCurrent && (
                      <button type="button" class="secondary" aria-label={`Restore version ${v.version}`} onClick={() => setRestoring({ version: v.version, busy: false })}>
                        Restore
                      </button>
                    )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {shown && (
        <div class="fn-compare">
          <h3>
            Version {shown.version} → the code in the editor
          </h3>
          <DiffView original={shown.code} changed={code} label={`Differences between version ${shown.version} and the code in the editor`} testId="version-diff" />
        </div>
      )}
      {restoring && (
        <ConfirmDialog
          title={`Restore version ${restoring.version}?`}
          text={`Its code and environment variables are saved as a new version${lambda.state === "Draft" ? "" : "; the deployed function becomes Modified until it is deployed again"}.${dirty ? " Your unsaved changes in the editor will be lost." : ""}`}
          confirmLabel="Restore"
          busyLabel="Restoring…"
          busy={restoring.busy}
          error={restoring.error}
          onConfirm={() => restore(restoring.version)}
          onCancel={() => setRestoring(null)}
        />
      )}
    </section>
  );
}
