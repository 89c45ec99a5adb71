// The Egress entrypoint from the side of a hostile function: every fetch() and connect() of brand
// code goes through it. A real local HTTP server (test/upstream-server.ts) records every request it
// receives, so each test proves that what was denied never reached the network. Each test uses its
// own tag (a path segment) to find its requests among those of tests running alongside.
import { describe, expect, inject, it } from "vitest";
import { OPERATOR_TOKEN, call, deployed, invoke, json, newAccount, wireStatus, type TestAccount } from "./helpers/api";

const PORT = inject("upstreamPort");
const UP = `http://127.0.0.1:${PORT}`;
const UPSTREAM_ENTRY = `127.0.0.1:${PORT}`;

interface Hit {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const tag = () => `t${crypto.randomUUID().slice(0, 8)}`;

/** The requests the upstream received whose URL contains `text`. */
async function hits(text: string): Promise<Hit[]> {
  const res = await fetch(`${UP}/_hits?tag=${encodeURIComponent(text)}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function allow(a: TestAccount, domain: string): Promise<number> {
  const res = await call(`/api/account/${a.accountId}/proxy-settings`, { key: a.admin, body: { domain, id: -1 } });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text).id;
}

// One deployed function per account answers many probes: it fetches what the payload says and
// reports what it saw, or the error it caught.
const PROBE = `async function lambda(input) {
  const { url, init, parallel } = input.payload;
  const one = async (u) => {
    try {
      const r = await fetch(u, init);
      const text = await r.text();
      return { status: r.status, body: text.slice(0, 3000), location: r.headers.get('location'),
               egress: r.headers.get('x-edgefn-egress'), retryAfter: r.headers.get('retry-after') };
    } catch (e) {
      return { error: e.name, message: e.message };
    }
  };
  if (parallel) return Promise.all(Array.from({ length: parallel }, (_, i) => one(url + (url.includes('?') ? '&' : '?') + 'i=' + i)));
  return one(url);
}`;

interface Probe {
  status?: number;
  body?: string;
  location?: string | null;
  egress?: string | null;
  retryAfter?: string | null;
  error?: string;
  message?: string;
}

async function probeFn(a: TestAccount) {
  const uuid = await deployed(a, PROBE);
  return async (url: string, init?: RequestInit): Promise<Probe> => {
    const res = await invoke(a, uuid, { headers: [], payload: { url, init } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text);
  };
}

/** A fresh account whose allow-list holds `entries`, and its probe. */
async function setup(...entries: string[]) {
  const a = await newAccount();
  for (const e of entries) await allow(a, e);
  return { a, probe: await probeFn(a) };
}

const expectBlocked = (p: Probe, host: string, reason?: RegExp) => {
  expect(p.error, JSON.stringify(p)).toBe("EgressBlockedError");
  expect(p.message).toContain(`Outbound request to ${host} blocked: `);
  if (reason) expect(p.message).toMatch(reason);
};

describe("allowed and denied hosts", () => {
  it("a listed host is reached (method, body, headers); credentials in the URL are stripped", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    const get = await probe(`${UP}/${t}/hello?q=1`);
    expect(get.status).toBe(200);
    const post = await probe(`http://user:secret@127.0.0.1:${PORT}/${t}/post`, { method: "POST", body: "payload", headers: { "x-brand": "1" } });
    expect(post.status).toBe(200);
    const arrived = await hits(t);
    expect(arrived.map((h) => `${h.method} ${h.url}`)).toEqual([`GET /${t}/hello?q=1`, `POST /${t}/post`]);
    expect(arrived[1]!.body).toBe("payload");
    expect(arrived[1]!.headers["x-brand"]).toBe("1");
    expect(arrived[1]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(arrived)).not.toContain("secret");
  });

  it("a host that is not listed is refused with an error naming it, and never reached", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    // localhost is the same server, but not the listed host.
    expectBlocked(await probe(`http://localhost:${PORT}/${t}/a`), `localhost:${PORT}`, /localhost name.*listed explicitly/);
    expectBlocked(await probe(`http://api.example.invalid/${t}`), "api.example.invalid", /not on this account's outbound allow-list/);
    expect(await hits(t)).toEqual([]);
  });

  it("an empty allow-list refuses everything, saying so", async () => {
    const t = tag();
    const { probe } = await setup();
    expectBlocked(await probe(`${UP}/${t}`), UPSTREAM_ENTRY, /allow-list is empty/);
    expect(await hits(t)).toEqual([]);
  });

  it("an uncaught refusal fails the invocation with 901 and the message, and is logged on it", async () => {
    const t = tag();
    const a = await newAccount();
    await allow(a, "api.example.com");
    const uuid = await deployed(a, `async function lambda() { await fetch('http://localhost:${PORT}/${t}'); return 'reached'; }`);
    const res = await invoke(a, uuid);
    expect(wireStatus(res)).toBe(901);
    const out = await json(res);
    expect(out.errorMsg).toMatch(new RegExp(`^Outbound request to localhost:${PORT} blocked: `));
    expect(out.errorLogs).toEqual(expect.arrayContaining([expect.objectContaining({ level: "Error", message: out.errorMsg })]));
    expect(await hits(t)).toEqual([]);
  });

  it("the allow-list of another account allows nothing here", async () => {
    const t = tag();
    const other = await newAccount();
    await allow(other, UPSTREAM_ENTRY);
    const { probe } = await setup("api.example.com");
    expectBlocked(await probe(`${UP}/${t}`), UPSTREAM_ENTRY);
    expect(await hits(t)).toEqual([]);
  });
});

describe("URL tricks", () => {
  it("userinfo, fragments and backslashes cannot smuggle a listed host past the check", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    for (const url of [
      `http://127.0.0.1:${PORT}@localhost:${PORT}/${t}/userinfo`,
      `http://localhost:${PORT}#@127.0.0.1:${PORT}/${t}/fragment`,
      `http://localhost:${PORT}\\@127.0.0.1:${PORT}/${t}/backslash`,
      `http://localhost:${PORT}/${t}/query?@127.0.0.1:${PORT}`,
      `http://%6c%6fcalhost:${PORT}/${t}/percent`,
    ]) {
      expectBlocked(await probe(url), `localhost:${PORT}`);
    }
    expect(await hits(t)).toEqual([]);
  });

  it("case, a trailing dot and IDNA are normalised before comparing", async () => {
    const t = tag();
    const { probe } = await setup(`LocalHost.:${PORT}`);
    expect((await probe(`http://LOCALHOST.:${PORT}/${t}/a`)).status).toBe(200);
    expect((await probe(`http://localhost:${PORT}/${t}/b`)).status).toBe(200);
    expect((await hits(t)).map((h) => h.url)).toEqual([`/${t}/a`, `/${t}/b`]);
    // A Unicode host is compared (and named) in its punycode form.
    expectBlocked(await probe("http://BÜCHER.example./"), "xn--bcher-kva.example");
  });

  it("IP literals in any spelling are the IP, and need it listed exactly", async () => {
    const t = tag();
    const listed = await setup(UPSTREAM_ENTRY);
    // Decimal, hex, octal and short forms are 127.0.0.1 to the URL parser: the listed host.
    for (const host of ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"]) {
      expect((await listed.probe(`http://${host}:${PORT}/${t}/${host}`)).status, host).toBe(200);
    }
    expect(await hits(t)).toHaveLength(4);
    // The IPv4-mapped IPv6 form is another literal: not listed.
    expectBlocked(await listed.probe(`http://[::ffff:127.0.0.1]:${PORT}/${t}/mapped`), `[::ffff:7f00:1]:${PORT}`, /private or reserved IP/);

    // With only localhost listed, no spelling of 127.0.0.1 gets through.
    const byName = await setup(`localhost:${PORT}`);
    for (const host of ["127.0.0.1", "2130706433", "0x7f.0.0.1", "[::1]", "[::ffff:7f00:1]"]) {
      expectBlocked(await byName.probe(`http://${host}:${PORT}/${t}/byname`), host === "[::ffff:7f00:1]" ? `[::ffff:7f00:1]:${PORT}` : host.startsWith("[") ? `${host}:${PORT}` : `127.0.0.1:${PORT}`);
    }
    expect(await hits(t)).toHaveLength(4);
  });

  it("only http: and https:", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    for (const url of [`ftp://127.0.0.1:${PORT}/${t}`, `ws://127.0.0.1:${PORT}/${t}`, `file:///etc/passwd`, `gopher://127.0.0.1:${PORT}/${t}`]) {
      const p = await probe(url);
      expect(p.error, `${url}: ${JSON.stringify(p)}`).toBeDefined();
    }
    expect(await hits(t)).toEqual([]);
  });
});

describe("wildcards, ports and explicit hosts", () => {
  it("a wildcard matches subdomains at any depth, never the apex", async () => {
    const { probe } = await setup("*.example.invalid");
    expectBlocked(await probe("http://example.invalid/"), "example.invalid");
    // Subdomains pass the allow-list and then fail at DNS (.invalid never resolves): thrown as
    // fetch throws a network failure (a TypeError) naming it, not a refusal.
    for (const host of ["api.example.invalid", "a.b.c.example.invalid"]) {
      const p = await probe(`http://${host}/`);
      expect(p.error, JSON.stringify(p)).toBe("TypeError");
      expect(p.message).toContain(`Outbound request to ${host} failed: `);
    }
  });

  it("no port in the entry: only 80/443; a port: exactly that port", async () => {
    const t = tag();
    const noPort = await setup("127.0.0.1");
    expectBlocked(await noPort.probe(`${UP}/${t}/a`), UPSTREAM_ENTRY, new RegExp(`port ${PORT} is not allowed for 127.0.0.1`));
    const otherPort = await setup(`127.0.0.1:${PORT === 65535 ? PORT - 1 : PORT + 1}`);
    expectBlocked(await otherPort.probe(`${UP}/${t}/b`), UPSTREAM_ENTRY, /port/);
    const exact = await setup(UPSTREAM_ENTRY);
    expect((await exact.probe(`${UP}/${t}/c`)).status).toBe(200);
    expect((await hits(t)).map((h) => h.url)).toEqual([`/${t}/c`]);
  });

  it("localhost and IPs only when listed exactly: a listed IP does not open localhost, nor the reverse", async () => {
    const t = tag();
    const byName = await setup(`localhost:${PORT}`);
    expect((await byName.probe(`http://localhost:${PORT}/${t}/name`)).status).toBe(200);
    expectBlocked(await byName.probe(`http://sub.localhost:${PORT}/${t}/sub`), `sub.localhost:${PORT}`, /localhost name/);
    const byIp = await setup(UPSTREAM_ENTRY);
    expectBlocked(await byIp.probe(`http://localhost:${PORT}/${t}/ip`), `localhost:${PORT}`);
    expect((await hits(t)).map((h) => h.url)).toEqual([`/${t}/name`]);
  });
});

describe("redirects", () => {
  it("every hop is checked: a redirect to a denied host is refused naming that hop, which never arrives", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    const denied = `http://localhost:${PORT}/${t}/denied`;
    const p = await probe(`${UP}/${t}/redirect?to=${encodeURIComponent(denied)}`);
    expectBlocked(p, `localhost:${PORT}`);
    const arrived = (await hits(t)).map((h) => h.url);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toContain(`/${t}/redirect`);
    // Also through a chain: allowed → allowed → denied.
    const chain = `${UP}/${t}/redirect?to=${encodeURIComponent(`${UP}/${t}/second/redirect?to=${encodeURIComponent(denied)}`)}`;
    expectBlocked(await probe(chain), `localhost:${PORT}`);
    expect((await hits(t)).filter((h) => h.url.startsWith(`/${t}/denied`))).toEqual([]);
  });

  it("allowed hops are followed; POST becomes a bodiless GET on 302/303 and stays POST on 307", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    const via = (status: number, to: string) => `${UP}/${t}/redirect?status=${status}&to=${encodeURIComponent(to)}`;
    const followed = await probe(via(302, `/${t}/final`));
    expect(followed.status).toBe(200);
    expect(JSON.parse(followed.body!).url).toBe(`/${t}/final`);
    await probe(via(303, `/${t}/after303`), { method: "POST", body: "form" });
    await probe(via(302, `/${t}/after302`), { method: "POST", body: "form" });
    await probe(via(307, `/${t}/after307`), { method: "POST", body: "form" });
    const by = (suffix: string) => (await_hits: Hit[]) => await_hits.find((h) => h.url === `/${t}/${suffix}`);
    const all = await hits(t);
    expect(by("after303")(all)).toMatchObject({ method: "GET", body: "" });
    expect(by("after302")(all)).toMatchObject({ method: "GET", body: "" });
    expect(by("after307")(all)).toMatchObject({ method: "POST", body: "form" });
  });

  it("credentials do not follow a redirect to another origin; they stay on the same origin", async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY, `localhost:${PORT}`);
    const init = { headers: { authorization: "Bearer crm-token", "x-kept": "1" } };
    await probe(`${UP}/${t}/redirect?to=${encodeURIComponent(`http://localhost:${PORT}/${t}/other-origin`)}`, init);
    await probe(`${UP}/${t}/redirect?to=${encodeURIComponent(`/${t}/same-origin`)}`, init);
    const all = await hits(t);
    const other = all.find((h) => h.url === `/${t}/other-origin`)!;
    expect(other.headers.authorization).toBeUndefined();
    expect(other.headers["x-kept"]).toBe("1");
    expect(all.find((h) => h.url === `/${t}/same-origin`)!.headers.authorization).toBe("Bearer crm-token");
  });

  it('redirect: "manual" is honoured: the function gets the 3xx and nothing is followed', async () => {
    const t = tag();
    const { probe } = await setup(UPSTREAM_ENTRY);
    const p = await probe(`${UP}/${t}/redirect?to=${encodeURIComponent(`http://localhost:${PORT}/${t}/never`)}`, { redirect: "manual" });
    expect(p.status).toBe(302);
    expect(p.location).toBe(`http://localhost:${PORT}/${t}/never`);
    expect((await hits(t)).map((h) => h.url)).toEqual([expect.stringContaining(`/${t}/redirect`)]);
  });

  it("at most 10 redirects: 10 are followed, the 11th is an error and its target is never requested", async () => {
    const t = tag();
    const { a, probe } = await setup(UPSTREAM_ENTRY);
    // Every hop is an outbound request: 23 of them within a second would meet the default rate limit.
    await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { outboundPerSecond: 100 } });
    const ten = await probe(`${UP}/${t}/ten/loop?n=10`);
    expect(ten.status, JSON.stringify(ten)).toBe(200);
    expect(await hits(`/${t}/ten/`)).toHaveLength(11);
    const eleven = await probe(`${UP}/${t}/eleven/loop?n=11`);
    expectBlocked(eleven, UPSTREAM_ENTRY, /longer than 10 redirects/);
    const arrived = (await hits(`/${t}/eleven/`)).map((h) => h.url);
    expect(arrived).toHaveLength(11);
    expect(arrived).not.toContain(`/${t}/eleven/loop?n=0`);
  });
});

describe("raw sockets", () => {
  it("connect() is refused with a reason and never reaches the network, even to a listed host", async () => {
    const t = tag();
    const a = await newAccount();
    await allow(a, UPSTREAM_ENTRY);
    const uuid = await deployed(
      a,
      `async function lambda() {
        const { connect } = await import('cloudflare:sockets');
        const out = {};
        try {
          const socket = connect({ hostname: '127.0.0.1', port: ${PORT} });
          const writer = socket.writable.getWriter();
          writer.write(new TextEncoder().encode('GET /${t}/raw HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')).catch(() => {});
          const reader = socket.readable.getReader();
          let text = '';
          for (;;) { const c = await reader.read(); if (c.done) break; text += new TextDecoder().decode(c.value); }
          out.read = text;
        } catch (e) { out.error = e.message; }
        try {
          const tls = connect({ hostname: '127.0.0.1', port: ${PORT} }, { secureTransport: 'on' });
          const reader = tls.readable.getReader();
          const c = await reader.read();
          out.tls = c.done ? 'closed' : new TextDecoder().decode(c.value);
        } catch (e) { out.tlsError = e.message; }
        try {
          const net = require('node:net');
          out.net = await new Promise((resolve) => {
            const s = net.connect(${PORT}, '127.0.0.1', () => s.write('GET /${t}/net HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));
            let text = '';
            s.on('data', (d) => { text += d; });
            s.on('error', (e) => resolve('error: ' + e.message));
            s.on('close', () => resolve(text));
          });
        } catch (e) { out.netError = e.message; }
        return out;
      }`,
    );
    const res = await invoke(a, uuid);
    const out = await json(res);
    expect(res.status, JSON.stringify(out)).toBe(200);
    expect(out.read ?? out.error).toContain(`Outbound connection to 127.0.0.1:${PORT} blocked: raw TCP sockets are not allowed`);
    expect(out.read ?? "").not.toContain("HTTP/1.1 200");
    expect(String(out.net ?? out.netError)).not.toContain("HTTP/1.1 200");
    expect(out.tls ?? out.tlsError, "TLS socket").toBeDefined();
    expect(await hits(t)).toEqual([]);
  });
});

describe("outbound rate limit", () => {
  it("beyond the account's per-second limit the function gets 429 responses, which never reach the network", async () => {
    const t = tag();
    const a = await newAccount();
    await allow(a, UPSTREAM_ENTRY);
    const limit = await call(`/admin/accounts/${a.accountId}/limits`, { method: "PUT", key: OPERATOR_TOKEN, body: { outboundPerSecond: 3 } });
    expect(limit.status, await limit.clone().text()).toBe(200);
    const uuid = await deployed(a, PROBE);
    const res = await invoke(a, uuid, { headers: [], payload: { url: `${UP}/${t}/burst`, parallel: 10 } });
    const results: Probe[] = await json(res);
    expect(res.status, JSON.stringify(results)).toBe(200);
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(3);
    expect(limited).toHaveLength(7);
    for (const r of limited) {
      expect(r.egress).toBe("rate-limited");
      expect(r.retryAfter).toBe("1");
      expect(r.body).toContain("at most 3 outbound requests per second");
      expect(r.error).toBeUndefined(); // a normal response, not a thrown error
    }
    expect(await hits(`/${t}/burst`)).toHaveLength(3);
  });

  it("the default is 20 per second per function", async () => {
    const t = tag();
    const a = await newAccount();
    await allow(a, UPSTREAM_ENTRY);
    const uuid = await deployed(a, PROBE);
    const results: Probe[] = await json(await invoke(a, uuid, { headers: [], payload: { url: `${UP}/${t}/default`, parallel: 25 } }));
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 429)).toHaveLength(5);
  });
});

describe("allow-list changes", () => {
  it("take effect on the next invocation, both ways", async () => {
    const t = tag();
    const { a, probe } = await setup();
    expectBlocked(await probe(`${UP}/${t}/1`), UPSTREAM_ENTRY);
    const id = await allow(a, UPSTREAM_ENTRY);
    expect((await probe(`${UP}/${t}/2`)).status).toBe(200);
    const del = await call(`/api/account/${a.accountId}/proxy-settings/${id}`, { method: "DELETE", key: a.admin });
    expect(del.status).toBe(204);
    expectBlocked(await probe(`${UP}/${t}/3`), UPSTREAM_ENTRY);
    expect((await hits(t)).map((h) => h.url)).toEqual([`/${t}/2`]);
  });
});
