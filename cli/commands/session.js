// login, logout, whoami. An API key is checked with one read before it is stored; a password is
// exchanged for a session (POST /login, LivePerson's contract: {bearer, csrf, sessionId, config})
// and only the session is stored. Neither the key, the password nor the bearer is ever printed.
import { createClient } from "../lib/api.js";
import { str } from "../lib/context.js";
import { CliError, EXIT } from "../lib/exit-codes.js";
import { readSecret } from "../lib/prompt.js";
import { deleteSession, describeSession, readSession, sessionFile, writeSession } from "../lib/session.js";

/** @type {import("../lib/context.js").Command} */
export const login = {
  name: "login",
  summary: "Sign in to an edgefn with an API key or a user name and password; the session is stored for later commands",
  usage: "efn login --url <base> --account <id> (--api-key <key> | --username <name> [--password <pw>])",
  options: {
    url: { type: "string", description: "the platform's base URL, e.g. https://edgefn.example.com" },
    account: { type: "string", short: "a", description: "the account id" },
    accountId: { type: "string", description: "the same (lpf's name)" },
    "api-key": { type: "string", description: "an API key of the account (read from stdin when given as -)" },
    token: { type: "string", short: "t", description: "a bearer token or key (lpf's -t), used as --api-key" },
    username: { type: "string", short: "u", description: "a user's login name" },
    password: { type: "string", short: "p", description: "the password (prompted for, or read from stdin, when missing)" },
    userId: { type: "string", short: "i", description: "accepted for lpf compatibility; ignored" },
  },
  async run({ flags, out }) {
    const url = str(flags.url) ?? readSession()?.url;
    const accountId = str(flags.account) ?? str(flags.accountId);
    if (!url || !accountId) throw new CliError(EXIT.USAGE, "efn login needs --url <base> and --account <id>");
    let base;
    try {
      base = new URL(url).origin;
    } catch {
      throw new CliError(EXIT.USAGE, `--url: not a URL: ${url}`);
    }
    let key = str(flags["api-key"]) ?? str(flags.token);
    const username = str(flags.username);
    if (key && username) throw new CliError(EXIT.USAGE, "give either --api-key or --username, not both");
    if (!key && !username) throw new CliError(EXIT.USAGE, "efn login needs --api-key <key> or --username <name>");
    const createdAt = new Date().toISOString();
    if (key) {
      if (key === "-") key = await readSecret("API key: ");
      const client = createClient({ baseUrl: base, accountId, token: key });
      await client.call("get", "/api/account/{accountId}/lambdas"); // every role may read: a 401 here means a bad key
      writeSession({ url: base, accountId, kind: "apiKey", token: key, createdAt });
    } else {
      const password = str(flags.password) ?? (await readSecret(`Password for ${username}: `));
      if (!password) throw new CliError(EXIT.USAGE, "no password given");
      const session = await signIn(base, accountId, /** @type {string} */ (username), password);
      writeSession({ url: base, accountId, kind: "password", ...session, createdAt });
    }
    const stored = /** @type {import("../lib/session.js").Session} */ (readSession());
    out.result({ loggedIn: true, ...describeSession(stored), configFile: sessionFile() }, `Logged in to ${base} (account ${accountId}${stored.loginName ? ` as ${stored.loginName}` : ""}).`);
  },
};

/**
 * POST /api/account/:accountId/login?v=1.3 (issue 13 §2).
 * @param {string} base @param {string} accountId @param {string} username @param {string} password
 */
async function signIn(base, accountId, username, password) {
  const client = createClient({ baseUrl: base, accountId });
  const { data } = await client.call("post", "/api/account/{accountId}/login", { query: { v: "1.3" }, body: { username, password } });
  return { token: data.bearer, csrf: data.csrf, sessionId: data.sessionId, expiresAt: data.expiresAt, userId: data.config.userId, loginName: data.config.loginName };
}

/** @type {import("../lib/context.js").Command} */
export const logout = {
  name: "logout",
  summary: "End the stored session (a password session is ended on the platform too) and forget it",
  usage: "efn logout",
  options: {
    accountId: { type: "string", short: "a", description: "accepted for lpf compatibility" },
    delete: { type: "boolean", short: "d", description: "accepted for lpf compatibility (the session is always deleted)" },
  },
  async run({ out }) {
    const s = readSession();
    let endedOnPlatform = false;
    if (s?.kind === "password" && s.sessionId) {
      try {
        await endSession(s);
        endedOnPlatform = true;
      } catch (err) {
        // An expired session is already ended; anything else is worth saying, but the local copy goes anyway.
        if (!(err instanceof CliError && err.code === EXIT.AUTH)) out.progress(`efn: the platform did not end the session: ${/** @type {Error} */ (err).message}`);
      }
    }
    deleteSession();
    out.result({ loggedOut: Boolean(s), endedOnPlatform }, s ? "Logged out." : "Not logged in.");
  },
};

/** POST /logout with the session's cookie and csrf token, as lpf's refresh sends them. */
async function endSession(/** @type {import("../lib/session.js").Session} */ s) {
  const client = createClient({ baseUrl: s.url, accountId: s.accountId, token: s.token, timeoutMs: 15_000 });
  await client.call("post", "/api/account/{accountId}/logout", { headers: { cookie: `session_id=${s.sessionId}` }, body: { csrf: s.csrf } });
}

/** @type {import("../lib/context.js").Command} */
export const whoami = {
  name: "whoami",
  summary: "Show the stored session (platform, account, how signed in; never the secret)",
  usage: "efn whoami",
  options: {},
  async run({ out }) {
    const s = readSession();
    if (!s) throw new CliError(EXIT.AUTH, "not logged in");
    const d = describeSession(s);
    out.result(d, `${d.url} account ${d.accountId} (${d.kind === "apiKey" ? "API key" : `user ${d.loginName ?? d.userId}`}, since ${d.createdAt})`);
  },
};
