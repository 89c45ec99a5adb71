// Deploy with a review: the saved code's diff against the deployed version (from the kept
// versions), a syntax check that blocks a deploy bound to fail, progress while deploying, and the
// result: the new state, or the refusal's cause as the function keeps it (lastDeployFailure).
import { useEffect, useState } from "preact/hooks";
import { DiffView } from "../editor/diff-view";
import { loadCodeMirror } from "../editor/load";
import type { SyntaxProblem } from "../editor/syntax";
import { ApiError, call } from "../lib/api";
import { Dialog } from "../components/dialog";
import type { Lambda } from "./function-draft";

type Review = { deployed: string | null; note?: string; problem: SyntaxProblem | null };
type Phase = { step: "loading" } | { step: "review" } | { step: "deploying" } | { step: "done"; version: number; state: string } | { step: "failed"; message: string };

async function reviewOf(f: Lambda): Promise<Review> {
  const [versions, cm] = await Promise.all([call("get", "/api/account/{accountId}/lambdas/{uuid}/versions", { params: { uuid: f.uuid } }), loadCodeMirror()]);
  const problem = cm.syntaxProblem(f.implementation.code);
  if (f.state === "Draft" || !f.lastDeployment) return { deployed: "", note: "Not deployed yet: all of the code is new.", problem };
  const deployed = versions.find((v) => v.isDeployed);
  if (!deployed) return { deployed: null, note: `The deployed version ${f.lastDeployment.lambdaVersion} is no longer kept (only the last five are), so there is no diff to show.`, problem };
  return { deployed: deployed.code, note: `Changes since the deployed version ${deployed.version}:`, problem };
}

export function DeployDialog({ lambda, onClose, onDeployed }: { lambda: Lambda; onClose: () => void; onDeployed: (f: Lambda) => void }) {
  const [review, setReview] = useState<Review | null>(null);
  const [phase, setPhase] = useState<Phase>({ step: "loading" });

  useEffect(() => {
    reviewOf(lambda).then(
      (r) => {
        setReview(r);
        setPhase({ step: "review" });
      },
      (e: unknown) => setPhase({ step: "failed", message: `The review could not be prepared: ${e instanceof Error ? e.message : String(e)}` }),
    );
  }, [lambda.uuid, lambda.version]);

  const reload = async () => (await call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid: lambda.uuid } }))[0];

  async function deploy() {
    setPhase({ step: "deploying" });
    try {
      const answer = await call("post", "/api/account/{accountId}/deployments/{uuid}", { params: { uuid: lambda.uuid } });
      const f = await reload();
      if (f) onDeployed(f);
      setPhase({ step: "done", version: answer.lambdaVersion, state: f?.state ?? "Productive" });
    } catch (e) {
      // The refusal's cause as the function now keeps it; the API's message if it is not there.
      const f = await reload().catch(() => undefined);
      if (f) onDeployed(f);
      const failure = f?.lastDeployFailure;
      const message = failure ? `${failure.message} (${failure.errorCode})` : e instanceof ApiError ? e.message : String(e);
      setPhase({ step: "failed", message });
    }
  }

  const busy = phase.step === "deploying";
  return (
    <Dialog title={`Deploy ${lambda.name}`} onClose={() => !busy && onClose()} wide testId="deploy-review">
      {phase.step === "loading" && <p aria-live="polite">Preparing the review…</p>}
      {review && (phase.step === "review" || busy) && (
        <>
          <p>
            Version {lambda.version} of the saved code will be deployed{lambda.state !== "Draft" ? " and replace the version serving now" : ""}.
          </p>
          {review.note && <p class="note">{review.note}</p>}
          {review.deployed !== null && <DiffView original={review.deployed} changed={lambda.implementation.code} label="Differences between the deployed code and the code to deploy" testId="deploy-diff" />}
          {review.problem && (
            <p class="error" role="alert">
              Syntax error on line {review.problem.line}, column {review.problem.column}: {review.problem.message}. Fix it in the editor before deploying.
            </p>
          )}
        </>
      )}
      {phase.step === "done" && (
        <p class="fn-result ok" role="status">
          Deployed version {phase.version}. The function is now {phase.state}.
        </p>
      )}
      {phase.step === "failed" && (
        <p class="error" role="alert">
          The deploy was refused: {phase.message}
        </p>
      )}
      <div class="dialog-actions">
        {review && !review.problem && (phase.step === "review" || busy) && (
          <button type="button" disabled={busy} onClick={deploy}>
            {busy ? "Deploying…" : `Deploy version ${lambda.version}`}
          </button>
        )}
        <button type="button" class="secondary" disabled={busy} onClick={onClose}>
          {phase.step === "done" || phase.step === "failed" ? "Close" : "Cancel"}
        </button>
      </div>
      <p class="sr-only" aria-live="polite">
        {busy ? "Deploying…" : ""}
      </p>
    </Dialog>
  );
}
