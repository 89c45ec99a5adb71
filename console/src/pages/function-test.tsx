// The test page of a deployed function: headers and payload prefilled with the function's sample
// payload, each checked as JSON while it is typed; Run (or Ctrl/Cmd+Enter) sends them to
// POST /lambdas/:uuid/test, which runs the deployed version and answers its result or error, its
// logs including Debug, and the duration. Only roles with lambda:test are offered it.
import { useEffect, useState } from "preact/hooks";
import type { KeyboardEventHandler } from "preact";
import { Problem } from "../components/problem";
import { call } from "../lib/api";
import { can } from "../lib/roles";
import { Link } from "../lib/router";
import { useSession } from "../lib/session";
import { useApi } from "../lib/use-api";
import { isBot } from "./deployments-bot";
import { checkHeaders, JsonField, jsonProblem } from "./deployments-json-field";
import { runTest, type TestRun } from "./deployments-run";
import { TestResult } from "./deployments-test-result";
import "./deployments.css";

const asText = (value: unknown) => JSON.stringify(value ?? null, null, 2);

export function FunctionTest({ uuid }: { uuid: string }) {
  const session = useSession();
  const mayTest = can(session, "lambda:test");
  // GET /lambdas/:uuid answers an array of one, as LivePerson does.
  const fn = useApi(() => call("get", "/api/account/{accountId}/lambdas/{uuid}", { params: { uuid } }).then((list) => list[0]), [uuid]);
  const [headers, setHeaders] = useState("[]");
  const [payload, setPayload] = useState("{}");
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<TestRun | null>(null);

  // Prefill from the sample payload once the function is read ({headers, payload}, as LivePerson's).
  useEffect(() => {
    const sample = fn.data?.samplePayload as { headers?: unknown; payload?: unknown } | null | undefined;
    if (!fn.data) return;
    setHeaders(asText(Array.isArray(sample?.headers) ? sample.headers : []));
    setPayload(asText(sample && "payload" in sample ? sample.payload : {}));
  }, [fn.data?.uuid]);

  const headersProblem = jsonProblem(headers, checkHeaders);
  const payloadProblem = jsonProblem(payload);
  const deployed = fn.data ? fn.data.state !== "Draft" : false;

  async function submit(e?: Event) {
    e?.preventDefault();
    if (running || headersProblem || payloadProblem || !deployed) return;
    setRunning(true);
    try {
      setRun(await runTest(uuid, { headers: JSON.parse(headers), payload: JSON.parse(payload) }));
    } finally {
      setRunning(false);
    }
  }
  const runOnCtrlEnter: KeyboardEventHandler<HTMLTextAreaElement> = (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit(e);
  };

  const name = fn.data?.name;
  return (
    <section aria-labelledby="page-title" class="ft">
      <p>
        <Link href="/deployments">← Deployments</Link>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        Test {name ?? "a function"}
      </h1>
      {!mayTest ? (
        <p class="note" data-testid="ft-not-allowed">
          Your role may not test functions: testing needs the FaaS-Developer role.
        </p>
      ) : (
        <>
          {fn.error && <Problem error={fn.error} what="the function" />}
          {!fn.data && fn.loading && <p aria-live="polite">Loading…</p>}
          {fn.data && !deployed && <p class="error">{name} is not deployed: a test runs the deployed version. Deploy it from its page first.</p>}
          {fn.data && (
            <form class="ft-form" onSubmit={submit} noValidate>
              <p class="note">
                The deployed version (v{fn.data.lastDeployment?.lambdaVersion ?? "—"}) runs with these headers and payload, prefilled with the function's sample
                payload. Changes here are not saved.
                {isBot(fn.data) && (
                  <>
                    {" "}
                    To talk to this bot, use the <Link href={`/deployments/${encodeURIComponent(uuid)}/simulator`}>conversation simulator</Link>.
                  </>
                )}
              </p>
              <div class="ft-fields">
                <JsonField id="ft-headers" label="Headers (JSON)" hint='A list of {"key", "value"}' value={headers} rows={10} problem={headersProblem} onInput={setHeaders} onKeyDown={runOnCtrlEnter} />
                <JsonField id="ft-payload" label="Payload (JSON)" hint="input.payload of the function" value={payload} rows={10} problem={payloadProblem} onInput={setPayload} onKeyDown={runOnCtrlEnter} />
              </div>
              <div class="ft-run">
                <button type="submit" disabled={running || !deployed || !!headersProblem || !!payloadProblem}>
                  {running ? "Running…" : "Run"}
                </button>
                <span class="desc">Ctrl+Enter (⌘+Enter) in a field runs it too.</span>
                <span class="sr-only" role="status">
                  {running ? "Running the test…" : run ? `Test finished: ${run.ok ? "succeeded" : "failed"}` : ""}
                </span>
              </div>
            </form>
          )}
          {run && <TestResult run={run} />}
        </>
      )}
    </section>
  );
}
