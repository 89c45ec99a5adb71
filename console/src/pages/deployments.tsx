// The deployed functions (Productive and Modified) with their deployed version and who deployed
// them when, and the functions whose latest deploy was refused, with its cause. From each: its test
// page, its logs, the conversation simulator for a bot, and (for roles that may deploy) redeploy
// and undeploy. The list is GET /lambdas: each function carries lastDeployment and lastDeployFailure.
import type { Schemas } from "../../../cli/lib/client-types";
import { Problem } from "../components/problem";
import { call } from "../lib/api";
import { can } from "../lib/roles";
import { useSession } from "../lib/session";
import { useState } from "preact/hooks";
import { useApi } from "../lib/use-api";
import { DeploymentCard } from "./deployments-card";
import "./deployments.css";

type Lambda = Schemas["Lambda"];

const byName = (a: Lambda, b: Lambda) => a.name.localeCompare(b.name);

export function Deployments() {
  const session = useSession();
  const [reload, setReload] = useState(0);
  const list = useApi(() => call("get", "/api/account/{accountId}/lambdas"), [reload]);
  const all = list.data ?? [];
  const deployed = all.filter((f) => f.state !== "Draft").sort(byName);
  // A Draft whose first deploy was refused is not deployed, but its cause belongs here.
  const failedDrafts = all.filter((f) => f.state === "Draft" && f.lastDeployFailure).sort(byName);
  const mayDeploy = can(session, "lambda:deploy");
  const mayTest = can(session, "lambda:test");
  const mayChat = can(session, "lambda:test", "lambda:invoke");
  // What the last redeploy or undeploy did: said at the top (an undeployed card leaves the list).
  const [result, setResult] = useState<{ text: string; failed: boolean } | null>(null);
  const changed = (text: string, failed: boolean) => {
    setResult({ text, failed });
    setReload((n) => n + 1);
  };

  return (
    <section aria-labelledby="page-title" class="dep">
      <h1 id="page-title" tabIndex={-1}>
        Deployments
      </h1>
      {!mayDeploy && <p class="note">Your role may not deploy: redeploy and undeploy are not offered.</p>}
      <p role="status" class={result?.failed ? "error" : "dep-done"} data-testid="dep-result">
        {result?.text ?? ""}
      </p>
      {list.error && <Problem error={list.error} what="the deployments" />}
      {!list.data && list.loading && <p aria-live="polite">Loading…</p>}
      {list.data && (
        <>
          <section class="group" aria-labelledby="dep-deployed" data-testid="dep-deployed">
            <h2 id="dep-deployed">
              Productive and Modified <span class="count">({deployed.length})</span>
            </h2>
            {deployed.length === 0 ? (
              <p class="note">No function is deployed. Deploy one from its page in Functions.</p>
            ) : (
              <ul class="dep-list">
                {deployed.map((f) => (
                  <DeploymentCard key={f.uuid} fn={f} mayDeploy={mayDeploy} mayTest={mayTest} mayChat={mayChat} onChanged={changed} />
                ))}
              </ul>
            )}
          </section>
          {failedDrafts.length > 0 && (
            <section class="group" aria-labelledby="dep-failed" data-testid="dep-failed">
              <h2 id="dep-failed">
                Not deployed: the deploy failed <span class="count">({failedDrafts.length})</span>
              </h2>
              <ul class="dep-list">
                {failedDrafts.map((f) => (
                  <DeploymentCard key={f.uuid} fn={f} mayDeploy={mayDeploy} mayTest={false} mayChat={false} onChanged={changed} />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </section>
  );
}
