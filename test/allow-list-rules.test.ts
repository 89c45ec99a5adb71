// Unit tests of the pure allow-list rules (src/services/allow-list-rules.ts).
import { describe, expect, it } from "vitest";
import { ALLOW_LIST_RULES as R, decide, isPrivateAddress, parseEntry } from "../src/services/allow-list-rules";
import { SlidingWindowLimiter } from "../src/runtime/outbound-rate";

const ok = (input: string) => {
  const r = parseEntry(input);
  if (!r.ok) throw new Error(`${input} rejected: ${r.rule}`);
  return r.domain;
};
const rule = (input: unknown) => {
  const r = parseEntry(input);
  if (r.ok) throw new Error(`${String(input)} accepted as ${r.domain}`);
  return r.rule;
};
const allowed = (url: string, entries: string[]) => decide(new URL(url), entries.map(ok)).allowed;

describe("parseEntry: what is accepted, and its normal form", () => {
  it.each([
    ["example.com", "example.com"],
    ["Example.COM.", "example.com"],
    ["  api.example.com  ", "api.example.com"],
    ["a-b.c-d.example", "a-b.c-d.example"],
    ["3com.example", "3com.example"],
    ["localhost", "localhost"],
    ["intranet", "intranet"],
    ["*.example.com", "*.example.com"],
    ["*.Example.COM.", "*.example.com"],
    ["*.liveperson.net:8443", "*.liveperson.net:8443"],
    ["example.com:8080", "example.com:8080"],
    ["EXAMPLE.com.:443", "example.com:443"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["*.bücher.example", "*.xn--bcher-kva.example"],
    ["例え.テスト", "xn--r8jz45g.xn--zckzah"],
    ["ＥＸＡＭＰＬＥ。com", "example.com"],
    ["203.0.113.7", "203.0.113.7"],
    ["127.0.0.1:8080", "127.0.0.1:8080"],
    ["0.0.0.0", "0.0.0.0"],
    ["::1", "[::1]"],
    ["[::1]", "[::1]"],
    ["[::1]:8080", "[::1]:8080"],
    ["2001:DB8:0:0:0:0:0:1", "[2001:db8::1]"],
    ["::ffff:127.0.0.1", "[::ffff:7f00:1]"],
    [`${"a".repeat(63)}.example`, `${"a".repeat(63)}.example`],
  ])("%s → %s", (input, normal) => {
    expect(ok(input)).toBe(normal);
  });

  it("accepts a 253-character name and rejects 254", () => {
    const name = (n: number) => Array.from({ length: Math.ceil(n / 50) }, () => "a".repeat(49)).join(".").slice(0, n).replace(/\.$/, "a");
    expect(ok(name(253))).toHaveLength(253);
    expect(rule(name(254))).toBe(R.length);
  });
});

describe("parseEntry: each rule that rejects", () => {
  it.each([
    [undefined, R.required],
    [42, R.required],
    ["", R.required],
    ["   ", R.required],
    ["https://example.com", R.form],
    ["example.com/path", R.form],
    ["user@example.com", R.form],
    ["example.com?x=1", R.form],
    ["exa mple.com", R.form],
    ["exa%6dple.com", R.form],
    ["example\\.com", R.form],
    ["under_score.example.com", R.form],
    ["-bad.example.com", R.label],
    ["bad-.example.com", R.label],
    ["a..example.com", R.label],
    [".example.com", R.label],
    [`${"a".repeat(64)}.example`, R.label],
    ["*.*.example.com", R.wildcard],
    ["foo*.example.com", R.wildcard],
    ["*example.com", R.wildcard],
    ["a.*.example.com", R.wildcard],
    ["*", R.wildcard],
    ["*.com", R.wildcardBase],
    ["*.localhost", R.wildcardBase],
    ["*.127.0.0.1", R.wildcardBase],
    ["example.com:0", R.port],
    ["example.com:65536", R.port],
    ["example.com:", R.port],
    ["example.com:http", R.port],
    ["[::1]:99999", R.port],
    ["256.1.1.1", R.ipv4],
    ["010.0.0.1", R.ipv4],
    ["1.2.3", R.ipv4],
    ["2130706433", R.ipv4],
    ["0x7f.0.0.1", R.ipv4],
    ["example.123", R.ipv4],
    ["[::1", R.ipv6],
    ["[fe80::1%25eth0]", R.form],
    ["::g", R.ipv6],
    ["1::2::3", R.ipv6],
    ["bü|cher.example", R.idna],
    ["例え.テスト\u0000", R.idna],
  ])("%s → %s", (input, expected) => {
    expect(rule(input)).toBe(expected);
  });
});

describe("decide", () => {
  it("matches exact hosts after normalisation, and nothing else", () => {
    expect(allowed("https://example.com/x", ["example.com"])).toBe(true);
    expect(allowed("https://EXAMPLE.com./x", ["example.com"])).toBe(true);
    expect(allowed("https://www.example.com/", ["example.com"])).toBe(false);
    expect(allowed("https://example.com.evil.net/", ["example.com"])).toBe(false);
    expect(allowed("https://notexample.com/", ["example.com"])).toBe(false);
    expect(allowed("https://bücher.example/", ["xn--bcher-kva.example"])).toBe(true);
    expect(allowed("https://xn--bcher-kva.example/", ["bücher.example"])).toBe(true);
  });

  it("decides on the parsed host, never the URL text", () => {
    expect(allowed("http://allowed.com@evil.com/", ["allowed.com"])).toBe(false);
    expect(allowed("http://evil.com#@allowed.com", ["allowed.com"])).toBe(false);
    expect(allowed("http://evil.com\\@allowed.com/", ["allowed.com"])).toBe(false);
    expect(allowed("http://evil.com/?@allowed.com", ["allowed.com"])).toBe(false);
    expect(allowed("http://user:pw@allowed.com/", ["allowed.com"])).toBe(true);
    expect(allowed("http://%61llowed.com/", ["allowed.com"])).toBe(true);
  });

  it("a wildcard matches subdomains at any depth, never the apex, an IP or localhost", () => {
    expect(allowed("https://a.example.com/", ["*.example.com"])).toBe(true);
    expect(allowed("https://a.b.c.example.com/", ["*.example.com"])).toBe(true);
    expect(allowed("https://example.com/", ["*.example.com"])).toBe(false);
    expect(allowed("https://badexample.com/", ["*.example.com"])).toBe(false);
    expect(allowed("https://example.com.evil.net/", ["*.example.com"])).toBe(false);
  });

  it("ports: no port = the scheme's default only; a port = exactly that port", () => {
    expect(allowed("http://example.com/", ["example.com"])).toBe(true);
    expect(allowed("https://example.com:443/", ["example.com"])).toBe(true);
    expect(allowed("http://example.com:443/", ["example.com"])).toBe(false);
    expect(allowed("https://example.com:8443/", ["example.com"])).toBe(false);
    expect(allowed("https://example.com:8443/", ["example.com:8443"])).toBe(true);
    expect(allowed("http://example.com:8443/", ["example.com:8443"])).toBe(true);
    expect(allowed("https://example.com/", ["example.com:8443"])).toBe(false);
    expect(allowed("https://example.com/", ["example.com:443"])).toBe(true);
    expect(allowed("https://a.example.com:8443/", ["*.example.com:8443"])).toBe(true);
    expect(allowed("https://a.example.com/", ["*.example.com:8443"])).toBe(false);
    const d = decide(new URL("https://example.com:8443/"), ["example.com"]);
    expect(d.allowed === false && d.reason).toContain("port 8443");
  });

  it("IP literals and localhost only when listed exactly, in whatever form the URL spells them", () => {
    expect(allowed("http://127.0.0.1/", ["example.com"])).toBe(false);
    expect(allowed("http://2130706433/", ["127.0.0.1"])).toBe(true); // the URL parser reads it as 127.0.0.1
    expect(allowed("http://0x7f.0.0.1/", ["127.0.0.1"])).toBe(true);
    expect(allowed("http://127.0.0.2/", ["127.0.0.1"])).toBe(false);
    expect(allowed("http://[::ffff:127.0.0.1]/", ["127.0.0.1"])).toBe(false);
    expect(allowed("http://[::ffff:127.0.0.1]/", ["::ffff:127.0.0.1"])).toBe(true);
    expect(allowed("http://[::1]/", ["::1"])).toBe(true);
    expect(allowed("http://[0:0:0:0:0:0:0:1]:8080/", ["[::1]:8080"])).toBe(true);
    expect(allowed("http://localhost/", ["example.com"])).toBe(false);
    expect(allowed("http://localhost/", ["localhost"])).toBe(true);
    expect(allowed("http://a.localhost/", ["localhost"])).toBe(false);
    expect(allowed("http://a.localhost/", ["a.localhost"])).toBe(true);
    const d = decide(new URL("http://10.1.2.3/"), ["example.com"]);
    expect(d.allowed === false && d.reason).toMatch(/private or reserved IP address.*listed explicitly/);
  });

  it("only http: and https:", () => {
    for (const url of ["ftp://example.com/", "ws://example.com/", "file:///etc/passwd", "data:text/plain,x", "gopher://example.com/"]) {
      const d = decide(new URL(url), ["example.com"]);
      expect(d.allowed, url).toBe(false);
      expect(d.allowed === false && d.reason, url).toContain("only http: and https:");
    }
  });

  it("says why: empty list, not listed", () => {
    const empty = decide(new URL("https://example.com/"), []);
    expect(empty.allowed === false && empty.reason).toContain("empty");
    const missing = decide(new URL("https://evil.com/"), ["example.com"]);
    expect(missing.allowed === false && missing.reason).toContain("evil.com is not on this account's outbound allow-list");
  });
});

describe("isPrivateAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["10.20.30.40", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["100.128.0.1", false],
    ["0.0.0.0", true],
    ["8.8.8.8", false],
    ["203.0.113.7", false],
    ["[::1]", true],
    ["[::]", true],
    ["[fc00::1]", true],
    ["[fd12:3456::1]", true],
    ["[fe80::1]", true],
    ["[::ffff:7f00:1]", true],
    ["[::ffff:808:808]", true],
    ["[2001:db8::1]", false],
    ["[2606:4700::1111]", false],
    ["example.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isPrivateAddress(host)).toBe(expected);
  });
});

describe("SlidingWindowLimiter", () => {
  it("admits `limit` requests per sliding second per key", () => {
    const l = new SlidingWindowLimiter();
    const t = 1_000_000;
    expect([1, 2, 3, 4].map((i) => l.take("a", 3, t + i))).toEqual([true, true, true, false]);
    expect(l.take("b", 3, t + 5)).toBe(true); // another function has its own window
    expect(l.take("a", 3, t + 1000)).toBe(false); // the first request is still inside the window
    expect(l.take("a", 3, t + 1001)).toBe(true); // now it is not
  });

  it("stays bounded in keys", () => {
    const l = new SlidingWindowLimiter(1000, 100);
    for (let i = 0; i < 1000; i++) expect(l.take(`k${i}`, 1, i * 2)).toBe(true);
    expect((l as unknown as { windows: Map<string, number[]> }).windows.size).toBeLessThanOrEqual(100);
  });
});
