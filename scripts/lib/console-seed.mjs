// The account the console's browser tests look at, made through the public API: users of each kind
// of role, an API key, functions in every state (one Modified, one that fails) and a few
// invocations, so that Home has numbers and the Functions list has groups to show.
import { api } from "./bench-platform.mjs";

export const PASSWORD = "console-test-password-1"; // a throwaway account on a temporary state

const code = {
  hello: "function lambda(input, callback) { callback(null, { greeting: 'hello ' + (input.payload.name || 'world') }); }",
  broken: "function lambda(input, callback) { callback(new Error('boom')); }",
  changed: "function lambda(input, callback) { callback(null, 'v1'); }",
  changedAgain: "function lambda(input, callback) { callback(null, 'v2'); }",
};

export async function seedConsoleAccount(port, operatorToken) {
  const { accountId, adminKey } = await api(port, "POST", "/admin/accounts", operatorToken, { name: "Console test" });
  const base = `/api/account/${accountId}`;
  const user = async (loginName, roles) => (await api(port, "POST", `${base}/users`, adminKey, { loginName, roles, password: PASSWORD })).id;
  const users = {
    admin: { loginName: "ada@brand.example", id: await user("ada@brand.example", ["FaaS-Admin", "FaaS-Developer"]) },
    developer: { loginName: "grace@brand.example", id: await user("grace@brand.example", ["FaaS-Developer"]) },
    invocation: { loginName: "ivan@brand.example", id: await user("ivan@brand.example", ["FaaS-Invocation"]) },
  };
  const { key: developerKey } = await api(port, "POST", `${base}/api-keys`, adminKey, { name: "console-dev", role: "FaaS-Developer" });
  const { key: invocationKey } = await api(port, "POST", `${base}/api-keys`, adminKey, { name: "console-invoker", role: "FaaS-Invocation" });

  const create = async (name, description, implementation) => (await api(port, "POST", `${base}/lambdas`, developerKey, { name, description, implementation: { code: implementation } })).uuid;
  const hello = await create("hello", "greets whoever calls", code.hello);
  const broken = await create("broken", "always fails", code.broken);
  const changed = await create("changed", "deployed, then edited", code.changed);
  const draft = await create("draft_greeter", "a greeting not yet deployed", code.hello);
  for (const uuid of [hello, broken, changed]) await api(port, "POST", `${base}/deployments/${uuid}`, developerKey);
  await api(port, "PUT", `${base}/lambdas/${changed}`, developerKey, { implementation: { code: code.changedAgain } });

  const invoke = (uuid) => fetch(`http://127.0.0.1:${port}${base}/lambdas/${uuid}/invoke`, {
    method: "POST",
    headers: { authorization: `Bearer ${developerKey}`, "content-type": "application/json" },
    body: JSON.stringify({ headers: [], payload: { name: "Ada" } }),
  }).then((r) => r.text());
  for (const uuid of [hello, hello, hello, broken, broken]) await invoke(uuid);
  // Records are stored just after the answer: wait until the summary counts all five.
  for (let i = 0; i < 50; i++) {
    const s = await api(port, "GET", `${base}/reports/summary`, adminKey);
    const counted = Object.values(s.outcomesThisMonth).reduce((a, b) => a + b, 0);
    if (counted >= 5) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { accountId, adminKey, developerKey, invocationKey, password: PASSWORD, users, functions: { hello, broken, changed, draft } };
}
