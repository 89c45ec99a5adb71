// One function on the Deployments page: state, deployed version, who deployed it and when, the
// cause of a refused deploy, its links (test, logs, simulator) and, for roles that may deploy,
// redeploy and undeploy. Undeploy stops the function serving, so it asks first, in place.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Schemas } from "../../../cli/lib/client-types";
import { shortActor } from "../components/status";
import { ApiError, call } from "../lib/api";
import { Link } from "../lib/router";
import { isBot } from "./deployments-bot";

type Lambda = Schemas["Lambda"];

interface Props {
  fn: Lambda;
  mayDeploy: boolean;
  mayTest: boolean;
  /** May talk to a bot in the simulator (lambda:test or lambda:invoke). */
  mayChat: boolean;
  onChanged: (text: string, failed: boolean) => void;
}

const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

export function DeploymentCard({ fn, mayDeploy, mayTest, mayChat, onChanged }: Props) {
  const [busy, setBusy] = useState<"" | "deploy" | "undeploy">("");
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const d = fn.lastDeployment;
  const failure = fn.lastDeployFailure;
  const id = `dep-${fn.uuid}`;
  const uuid = encodeURIComponent(fn.uuid);

  async function redeploy() {
    setBusy("deploy");
    try {
      const answer = await call("post", "/api/account/{accountId}/deployments/{uuid}", { params: { uuid: fn.uuid } });
      onChanged(`${fn.name}: version ${answer.lambdaVersion} deployed.`, false);
    } catch (e) {
      onChanged(`${fn.name} was not deployed. ${e instanceof ApiError ? e.message : String(e)}`, true);
    } finally {
      setBusy("");
    }
  }

  async function undeploy() {
    setConfirming(false);
    setBusy("undeploy");
    try {
      await call("delete", "/api/account/{accountId}/deployments/{uuid}", { params: { uuid: fn.uuid } });
      onChanged(`${fn.name} was undeployed: it no longer serves and is a Draft again.`, false);
    } catch (e) {
      onChanged(`${fn.name} was not undeployed. ${e instanceof ApiError ? e.message : String(e)}`, true);
    } finally {
      setBusy("");
    }
  }

  const deployed = fn.state !== "Draft";
  return (
    <li class="dep-card" aria-labelledby={id} data-testid="dep-card">
      <div class="dep-head">
        <h3 id={id}>
          <Link href={`/functions/${uuid}`}>{fn.name}</Link>
        </h3>
        <span class={`badge ${fn.state.toLowerCase()}`}>{fn.state}</span>
      </div>
      {fn.description && <p class="desc">{fn.description}</p>}
      <dl class="facts dep-facts">
        <dt>Deployed version</dt>
        <dd data-testid="dep-version">
          {d ? `v${d.lambdaVersion}` : "none"}
          {d && fn.state === "Modified" && <span class="desc"> (the code is at v{fn.version}, not deployed yet)</span>}
        </dd>
        {d && (
          <>
            <dt>Deployed by</dt>
            <dd data-testid="dep-by" title={d.createdBy}>
              {shortActor(d.createdBy)}
            </dd>
            <dt>Deployed</dt>
            <dd>{when(d.deployedAt)}</dd>
          </>
        )}
        <dt>Event</dt>
        <dd>{fn.eventId ?? "No Event"}</dd>
      </dl>
      {failure && (
        <div class="dep-failure" data-testid="dep-failure">
          <p>
            <strong>The deploy of v{failure.lambdaVersion} failed</strong> ({when(failure.failedAt)}, {shortActor(failure.failedBy)})
            {deployed ? "; the deployed version keeps serving." : "."}
          </p>
          <p class="dep-cause">{failure.message}</p>
          <p class="desc">
            <code>{failure.errorCode}</code>
          </p>
        </div>
      )}
      <div class="dep-actions">
        {/* The function's name, for screen readers, tells the links of one card from another's. */}
        {deployed && mayTest && (
          <Link href={`/deployments/${uuid}/test`}>
            Test<span class="sr-only"> {fn.name}</span>
          </Link>
        )}
        {deployed && mayChat && isBot(fn) && (
          <Link href={`/deployments/${uuid}/simulator`}>
            Simulator<span class="sr-only"> for {fn.name}</span>
          </Link>
        )}
        <Link href={`/logs?lambdaUUID=${uuid}`}>
          Logs<span class="sr-only"> of {fn.name}</span>
        </Link>
        {mayDeploy && (
          <button type="button" class="secondary" disabled={busy !== ""} onClick={redeploy} aria-describedby={id}>
            {busy === "deploy" ? "Deploying…" : deployed ? "Redeploy" : "Deploy"}
          </button>
        )}
        {mayDeploy && deployed && !confirming && (
          <button type="button" class="secondary" disabled={busy !== ""} onClick={() => setConfirming(true)} aria-describedby={id}>
            {busy === "undeploy" ? "Undeploying…" : "Undeploy"}
          </button>
        )}
      </div>
      {confirming && (
        <div class="dep-confirm" role="group" aria-label={`Confirm undeploying ${fn.name}`}>
          <p>Undeploy {fn.name}? It stops serving its event and invocations at once, and returns to Draft.</p>
          <button type="button" class="danger" onClick={undeploy} ref={confirmButton}>
            Undeploy {fn.name}
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
    </li>
  );
}
