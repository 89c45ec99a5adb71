// vitest globalSetup (runs in Node, outside workerd): a real local HTTP server on 127.0.0.1 that
// plays "the internet" for the egress tests. It records every request it receives, so a test can
// prove that a denied request never reached the network. Tests find it with inject("upstreamPort").
//
//   /<anything>/redirect?to=<url>[&status=302]   answers a redirect to <url>
//   /<anything>/loop?n=<k>                       redirects to .../loop?n=<k-1> until k is 0 (then 200)
//   /<anything>/status?code=<n>                  answers status n
//   /<anything>/delay?ms=<n>                     answers 200 after n ms (at most 5,000)
//   /<anything>/services/data/<v>/query?q=...   a fake Salesforce: one Account record
//   POST /<anything>/services/oauth2/token       its OAuth 2.0 password login (instance: /<anything>)
//   /api/account/<id>/service/baseURI.json       a fake LivePerson CSDS: msgHist, asyncMessagingEnt,
//                                                smt and sentinel are this server (as 127.0.0.1:<port>),
//                                                agentVep and swift are localhost:<port> (a host tests
//                                                allow-list only where they mean to reach it)
//   POST .../conversations/conversation/search   a fake Messaging Interactions API: conversation
//                                                "missing" has no records, any other one the sample
//                                                (with two HOSTED_FILE messages under /v1/AUTH_files/<account>/)
//   GET /auth/v1.0                               a fake LivePerson file storage (Swift) login: a key that
//                                                starts with "good-" gets an x-auth-token, any other 401
//                                                (its body echoes the key, as a careless server might)
//   PUT with x-auth-token                        a Swift upload: 401 for a token it did not issue, else
//                                                as below (a path ending in /status?code=n answers n)
//   POST /sentinel/api/v2/account/<id>/app/token a fake Sentinel (OAuth 2.0 client credentials): tokens
//                                                "at-<client_id>-<n>", expires_in "3600" ("30" for a
//                                                client id containing "short"); client_secret "wrong" 401
//   .../needs-fresh-token                        401 for a client's first token ("-1"), else the echo
//   /<anything>/hang-up                          closes the connection without an answer
//   anything else                                200 JSON {method, url, headers, body}
//   /_hits?tag=<text>                            the recorded requests whose URL contains <text>
//   /_reset                                      forgets the recorded requests
//
// Control paths (/_hits, /_reset) are not recorded. Tests run in parallel, so each test uses its
// own tag (a unique path segment) instead of /_reset. Bounded: at most MAX_HITS requests and
// MAX_BODY bytes of each body are kept, every socket times out, and teardown closes it all.
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    upstreamPort: number;
  }
}

export interface Hit {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes (its first MAX_BODY), for binary uploads the text would mangle. */
  bodyBase64: string;
  at: number;
}

// The project has no @types/node (its code runs in workerd), so the few Node APIs used here are
// typed locally and loaded with a dynamic import.
interface Socket {
  setTimeout(ms: number, onTimeout: () => void): void;
  destroy(): void;
  on(event: "close", listener: () => void): void;
}
interface IncomingMessage {
  socket: Socket;
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "end" | "error", listener: () => void): void;
}
interface ServerResponse {
  writeHead(status: number, headers: Record<string, string>): void;
  end(body: string): void;
}
interface Server {
  requestTimeout: number;
  headersTimeout: number;
  on(event: "connection", listener: (socket: Socket) => void): void;
  once(event: "error", listener: (e: unknown) => void): void;
  listen(port: number, host: string, callback: () => void): void;
  address(): { port: number };
  close(callback: () => void): void;
}
type NodeHttp = { createServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Server };
const NODE_HTTP: string = "node:http";

const MAX_HITS = 5_000;
const MAX_BODY = 64 * 1024;
const SOCKET_TIMEOUT_MS = 10_000;

function readBody(req: IncomingMessage): Promise<{ text: string; base64: string }> {
  return new Promise((resolve) => {
    let size = 0;
    const kept: Uint8Array[] = [];
    req.on("data", (chunk) => {
      if (size < MAX_BODY) kept.push(chunk.subarray(0, MAX_BODY - size));
      size += chunk.length;
    });
    const done = () => {
      const bytes = new Uint8Array(kept.reduce((n, c) => n + c.length, 0));
      kept.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
      resolve({ text: new TextDecoder().decode(bytes), base64: btoa(String.fromCharCode(...bytes)) });
    };
    req.on("end", done);
    req.on("error", done);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json", ...headers });
  res.end(text);
}

/** One conversation record of LivePerson's Messaging Interactions API (the fields the toolbelt reads). */
function sampleConversation(account: string, conversationId: string) {
  const message = (text: string, sentBy: string, timeL: number) => ({ type: "TEXT_PLAIN", messageData: { msg: { text } }, sentBy, timeL });
  const file = (relativePath: string | undefined, timeL: number) => ({ type: "HOSTED_FILE", messageData: { file: { relativePath, fileType: "JPG" } }, sentBy: "Consumer", timeL });
  const files = `/v1/AUTH_files/${account}/${conversationId}`;
  return {
    info: { conversationId, status: "CLOSE" },
    messageRecords: [
      message("Hello, I need a REFUND please", "Consumer", 1_700_000_000_000),
      file(`${files}/receipt.jpg`, 1_700_000_000_500),
      message("Sure, refund started; anything else?", "Agent", 1_700_000_001_000),
      file(undefined, 1_700_000_001_500),
      file(`${files}/id-card.jpg`, 1_700_000_001_700),
      message("no thanks", "Consumer", 1_700_000_002_000),
    ],
    sdes: { events: [{ sdeType: "PERSONAL_INFO", serverTimeStamp: "1700000005000" }, { sdeType: "CUSTOMER_INFO", serverTimeStamp: "1700000001000" }] },
    unAuthSdes: { events: [{ sdeType: "SERVICE_ACTIVITY", serverTimeStamp: "1700000009000" }, { sdeType: "CART_STATUS", serverTimeStamp: "1700000003000" }] },
  };
}

export default async function setup(project: TestProject) {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const swiftTokens = new Set<string>();
  const sentinelCounts = new Map<string, number>();

  const { createServer } = (await import(NODE_HTTP)) as NodeHttp;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://upstream.local");
    if (url.pathname === "/_hits") {
      const tag = url.searchParams.get("tag") ?? "";
      return send(res, 200, hits.filter((h) => h.url.includes(tag)));
    }
    if (url.pathname === "/_reset") {
      hits.length = 0;
      return send(res, 204, "");
    }
    const { text: body, base64: bodyBase64 } = await readBody(req);
    if (hits.length < MAX_HITS) hits.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, bodyBase64, at: Date.now() });

    const last = url.pathname.split("/").pop();
    if (last === "redirect") {
      const to = url.searchParams.get("to") ?? "/";
      const status = Number(url.searchParams.get("status") ?? 302);
      return send(res, status, `redirecting to ${to}`, { location: to });
    }
    if (last === "loop") {
      const n = Number(url.searchParams.get("n") ?? 0);
      if (n > 0) {
        const next = new URL(url);
        next.searchParams.set("n", String(n - 1));
        return send(res, 302, "again", { location: `${next.pathname}${next.search}` });
      }
      return send(res, 200, { done: true, url: req.url });
    }
    // A fake LivePerson CSDS for LpClient's tests; the fake LivePerson APIs are the echo below.
    const csds = /^\/api\/account\/([^/]+)\/service\/baseURI\.json$/.exec(url.pathname);
    if (csds && req.method === "GET") {
      const account = decodeURIComponent(csds[1]!);
      const port = String(req.headers.host ?? "").split(":").pop();
      const at = (service: string, host: string) => ({ service, account, baseURI: `${host}:${port}` });
      const services = [at("msgHist", "127.0.0.1"), at("asyncMessagingEnt", "127.0.0.1"), at("smt", "127.0.0.1"), at("sentinel", "127.0.0.1"), at("agentVep", "localhost"), at("swift", "localhost")];
      return send(res, 200, { baseURIs: services });
    }
    if (url.pathname.endsWith("/conversations/conversation/search") && req.method === "POST") {
      const asked = JSON.parse(body || "{}") as { conversationId?: string; contentToRetrieve?: string[] };
      if (asked.conversationId === "missing") return send(res, 200, { _metadata: { count: 0 }, conversationHistoryRecords: [] });
      const account = /\/account\/([^/]+)\//.exec(url.pathname)?.[1] ?? "";
      return send(res, 200, { _metadata: { count: 1, asked }, conversationHistoryRecords: [sampleConversation(account, asked.conversationId ?? "")] });
    }
    // A fake LivePerson file storage (OpenStack Swift's v1 auth) for GDPRUtil.
    if (url.pathname === "/auth/v1.0" && req.method === "GET") {
      const key = String(req.headers["x-auth-key"] ?? "");
      if (!key.startsWith("good-")) return send(res, 401, `Invalid credentials for ${String(req.headers["x-auth-user"])} / ${key}`);
      const token = `swift-${crypto.randomUUID()}`;
      swiftTokens.add(token);
      return send(res, 200, "", { "x-auth-token": token });
    }
    if (req.method === "PUT" && req.headers["x-auth-token"] !== undefined && !swiftTokens.has(String(req.headers["x-auth-token"]))) {
      return send(res, 401, "token not issued here");
    }
    // A fake Sentinel (LivePerson's OAuth 2.0 server) for V2's LpClient.
    if (/^\/sentinel\/api\/v2\/account\/[^/]+\/app\/token$/.test(url.pathname) && req.method === "POST") {
      const form = new URLSearchParams(body);
      const client = form.get("client_id") ?? "";
      if (form.get("grant_type") !== "client_credentials" || !client || form.get("client_secret") === "wrong") return send(res, 401, { error: "invalid_client" });
      const n = (sentinelCounts.get(client) ?? 0) + 1;
      sentinelCounts.set(client, n);
      return send(res, 200, { access_token: `at-${client}-${n}`, token_type: "Bearer", expires_in: client.includes("short") ? "30" : "3600" });
    }
    if (last === "needs-fresh-token" && String(req.headers.authorization ?? "").endsWith("-1")) return send(res, 401, { error: "token expired" });
    if (last === "hang-up") return req.socket.destroy();
    if (last === "status") return send(res, Number(url.searchParams.get("code") ?? 200), "status");
    // A fake Salesforce REST API for the libraries' tests (jsforce's conn.query).
    if (last === "query" && url.pathname.includes("/services/data/")) {
      return send(res, 200, { totalSize: 1, done: true, records: [{ attributes: { type: "Account", url: "/services/data/v59.0/sobjects/Account/001000000000001AAA" }, Id: "001000000000001AAA", Name: "Acme" }] });
    }
    // A fake Salesforce OAuth 2.0 token endpoint (username-password flow) for the Salesforce
    // template's tests: the instance it names is this server under the same path prefix, so the
    // test's tag stays in every later URL. Only the password "fake-password" logs in.
    if (url.pathname.endsWith("/services/oauth2/token") && req.method === "POST") {
      const form = new URLSearchParams(body);
      if (form.get("grant_type") !== "password" || form.get("password") !== "fake-password") {
        return send(res, 400, { error: "invalid_grant", error_description: "authentication failure" });
      }
      const origin = `http://${req.headers.host}`;
      const prefix = url.pathname.slice(0, -"/services/oauth2/token".length);
      return send(res, 200, { access_token: "00Dfake!oauth", instance_url: `${origin}${prefix}`, id: `${origin}/id/00D000000000001AAA/005000000000001AAA`, token_type: "Bearer" });
    }
    if (last === "delay") {
      await new Promise((r) => setTimeout(r, Math.min(Number(url.searchParams.get("ms") ?? 0), 5_000)));
      return send(res, 200, "late");
    }
    return send(res, 200, { method: req.method, url: req.url, headers: req.headers, body });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.setTimeout(SOCKET_TIMEOUT_MS, () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });
  server.requestTimeout = SOCKET_TIMEOUT_MS;
  server.headersTimeout = SOCKET_TIMEOUT_MS;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  project.provide("upstreamPort", server.address().port);

  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
