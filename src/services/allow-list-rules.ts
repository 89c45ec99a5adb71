// The outbound allow-list rules (docs/secrets-and-allow-list.md), pure so they are unit-testable:
// parsing and normalising an entry, matching a URL against the entries, and private-range checks.
//
// Entries (stored normalised: lower case, no trailing dot, IDNA as punycode, IPv6 in brackets):
//   example.com            that host only (RFC 1035 labels; www.example.com is another host)
//   *.example.com          any subdomain of example.com at any depth (a.example.com,
//                          a.b.example.com), never example.com itself; one wildcard, leftmost only
//   203.0.113.7, [2001:db8::1], ::1    an IP literal (IPv4 dotted quad; IPv6 bare or in brackets)
//   any of the above + :port           that port only
// Ports: an entry without a port allows the scheme's default port only (80 for http:, 443 for
// https:); an entry with a port allows exactly that port, for either scheme.
// IP literals, localhost, *.localhost and private/reserved addresses are reached only through an
// entry naming exactly that host: a wildcard never matches them.

export const ALLOW_LIST_MAX_ENTRIES = 200;
export const MAX_REDIRECT_HOPS = 10;

/** The rules, as the 400 answers name them. */
export const ALLOW_LIST_RULES = {
  required: "domain is required: a host name, *.host name or IP address, optionally with :port",
  length: "domain has at most 253 characters (RFC 1035), plus an optional :port",
  form: "domain is a host, not a URL: no scheme, path, query, user name, spaces or other characters outside letters, digits, '-', '.', '*', ':' and IPv6 brackets",
  label: "each label of a host name has 1 to 63 letters, digits or hyphens and does not start or end with a hyphen (RFC 1035)",
  idna: "the host name is not a valid internationalised domain name (IDNA)",
  wildcard: "a wildcard is allowed only once, as the whole leftmost label: *.example.com (*.*.example.com, foo*.example.com and *example.com are not)",
  wildcardBase: "a wildcard needs a domain of at least two labels after '*.' that is neither an IP address nor localhost (*.com is not allowed)",
  ipv4: "an IPv4 address is four decimal numbers 0-255 without leading zeros (203.0.113.7); a host name may not end in a numeric label",
  ipv6: "the IPv6 address is not valid (write it bare, ::1, or in brackets, [::1]; a port needs the brackets: [::1]:8080; no zone ids)",
  port: "the port is a number from 1 to 65535",
  max: `an account has at most ${ALLOW_LIST_MAX_ENTRIES} allow-list entries; delete one first`,
} as const;

export type EntryParse = { ok: true; domain: string } | { ok: false; rule: string };

interface Entry {
  host: string; // normalised, without "*." (wildcards) and without port; IPv6 in brackets
  wildcard: boolean;
  port: number | null;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ALLOWED_CHARS = /^[a-z0-9.*:\-[\]]+$/;
// The WHATWG URL parser reads a host whose last label is numeric (or 0x..) as an IPv4 address.
const NUMERIC_LABEL = /^(0x[0-9a-f]*|\d+)$/;

const fail = (rule: string): EntryParse => ({ ok: false, rule });

/** Host through the URL parser: IDNA to punycode, IPv6 canonical form; null if it is not a host. */
function urlHostname(host: string): string | null {
  try {
    const url = new URL(`http://${host}/`);
    return url.username === "" && url.password === "" && url.port === "" && url.pathname === "/" ? url.hostname : null;
  } catch {
    return null;
  }
}

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Checks a host name (no port, no wildcard) and returns it normalised, or the rule it breaks. */
function normaliseName(raw: string): EntryParse {
  let name = raw.toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = urlHostname(name);
    if (ascii === null || /[^\x00-\x7f]/.test(ascii)) return fail(ALLOW_LIST_RULES.idna);
    name = ascii.endsWith(".") ? ascii.slice(0, -1) : ascii;
  }
  if (name.length === 0 || name.length > 253) return fail(name.length === 0 ? ALLOW_LIST_RULES.required : ALLOW_LIST_RULES.length);
  if (!ALLOWED_CHARS.test(name) || /[[\]:]/.test(name)) return fail(ALLOW_LIST_RULES.form);
  if (name.includes("*")) return fail(ALLOW_LIST_RULES.wildcard);
  const labels = name.split(".");
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) return IPV4.test(name) ? { ok: true, domain: name } : fail(ALLOW_LIST_RULES.ipv4);
  if (!labels.every((l) => LABEL.test(l))) return fail(ALLOW_LIST_RULES.label);
  // An xn-- label is kept as written: the URL parser passes it through unchanged too, so it
  // matches exactly the URLs that spell it.
  return { ok: true, domain: name };
}

function normaliseIpv6(inner: string): string | null {
  if (inner.includes("%") || !/^[0-9a-f:.]+$/i.test(inner)) return null;
  const host = urlHostname(`[${inner}]`);
  return host && host.startsWith("[") ? host : null;
}

/**
 * Parses one allow-list entry as an admin typed it and returns its normalised form (what is stored
 * and compared, so `Example.COM.` and `example.com` are the same entry), or the rule it breaks.
 */
export function parseEntry(input: unknown): EntryParse {
  if (typeof input !== "string") return fail(ALLOW_LIST_RULES.required);
  const text = input.trim();
  if (text.length === 0) return fail(ALLOW_LIST_RULES.required);
  if (text.length > 253 + 6 + 2) return fail(ALLOW_LIST_RULES.length);
  if (/[\s/\\?#@%]/.test(text) || text.includes("://")) return fail(ALLOW_LIST_RULES.form);

  // IPv6: bracketed (optionally with a port) or bare (two or more colons, never a port).
  if (text.startsWith("[")) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
    if (!m) return fail(ALLOW_LIST_RULES.ipv6);
    const host = normaliseIpv6(m[1]!);
    if (!host) return fail(ALLOW_LIST_RULES.ipv6);
    if (m[2] === undefined) return { ok: true, domain: host };
    const port = parsePort(m[2]);
    return port === null ? fail(ALLOW_LIST_RULES.port) : { ok: true, domain: `${host}:${port}` };
  }
  if ((text.match(/:/g) ?? []).length >= 2) {
    const host = normaliseIpv6(text);
    return host ? { ok: true, domain: host } : fail(ALLOW_LIST_RULES.ipv6);
  }

  let hostPart = text;
  let port: number | null = null;
  const colon = text.lastIndexOf(":");
  if (colon >= 0) {
    port = parsePort(text.slice(colon + 1));
    if (port === null) return fail(ALLOW_LIST_RULES.port);
    hostPart = text.slice(0, colon);
  }
  const suffix = port === null ? "" : `:${port}`;

  if (hostPart.includes("*")) {
    if (!hostPart.startsWith("*.") || hostPart.slice(2).includes("*")) return fail(ALLOW_LIST_RULES.wildcard);
    const base = normaliseName(hostPart.slice(2));
    if (!base.ok) return base;
    if (!base.domain.includes(".") || isSpecialHost(base.domain)) return fail(ALLOW_LIST_RULES.wildcardBase);
    return { ok: true, domain: `*.${base.domain}${suffix}` };
  }
  const name = normaliseName(hostPart);
  return name.ok ? { ok: true, domain: `${name.domain}${suffix}` } : name;
}

/** A stored (normalised) entry, split into host, wildcard and port. */
function splitEntry(domain: string): Entry {
  let host = domain;
  let port: number | null = null;
  const m = /^(.*?):(\d+)$/.exec(domain);
  if (m && (!domain.startsWith("[") || m[1]!.endsWith("]"))) {
    host = m[1]!;
    port = Number(m[2]);
  }
  const wildcard = host.startsWith("*.");
  return { host: wildcard ? host.slice(2) : host, wildcard, port };
}

// ---------------------------------------------------------------------------------------------
// Special hosts

export function isIpLiteral(host: string): boolean {
  return host.startsWith("[") || IPV4.test(host);
}

export function isLocalhost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** IP literals and localhost names: reached only through an entry naming exactly that host. */
export function isSpecialHost(host: string): boolean {
  return isIpLiteral(host) || isLocalhost(host);
}

const V4_PRIVATE: [number, number][] = [
  // [network, prefix length]
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local (cloud metadata)
  [0xac100000, 12], // 172.16/12
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0a80000, 16], // 192.168/16
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, and 255.255.255.255
];

function v4Number(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Private(n: number): boolean {
  return V4_PRIVATE.some(([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
}

/** The eight 16-bit groups of an IPv6 address as the URL parser prints it ([::ffff:7f00:1]). */
function v6Groups(host: string): number[] | null {
  const inner = host.replace(/^\[|\]$/g, "");
  const [head, tail] = inner.includes("::") ? inner.split("::") : [inner, undefined];
  const parse = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const a = parse(head);
  const b = parse(tail);
  if (tail === undefined) return a.length === 8 ? a : null;
  return [...a, ...new Array(8 - a.length - b.length).fill(0), ...b];
}

/**
 * Loopback, private, link-local and other reserved addresses, in any form the URL parser leaves
 * (IPv4; IPv6 ::, ::1, fc00::/7, fe80::/10, multicast, and IPv4-mapped/compatible forms).
 */
export function isPrivateAddress(host: string): boolean {
  if (IPV4.test(host)) return v4Private(v4Number(host));
  if (!host.startsWith("[")) return false;
  const g = v6Groups(host);
  if (!g || g.length !== 8 || g.some((x) => Number.isNaN(x))) return true; // unparseable: treat as private
  if (g.slice(0, 6).every((x) => x === 0)) return true; // ::, ::1, IPv4-compatible
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return true; // ::ffff:a.b.c.d, an IPv4 address in disguise
  if ((g[0]! & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0]! & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0]! & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  if (g[0] === 0x64 && g[1] === 0xff9b) return true; // 64:ff9b::/96 NAT64 of an IPv4 address
  return false;
}

// ---------------------------------------------------------------------------------------------
// Matching

export type Decision = { allowed: true; entry: string } | { allowed: false; reason: string };

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** The host as it is compared: the parsed URL's hostname without a trailing dot. */
export function normalisedHostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/\.$/, "");
}

function describe(host: string): string {
  if (isLocalhost(host)) return "a localhost name";
  if (isIpLiteral(host)) return isPrivateAddress(host) ? "a private or reserved IP address" : "an IP address";
  return "";
}

/**
 * Whether `url` may be fetched under `entries` (normalised, as stored). Only http: and https:;
 * the decision uses the parsed URL's hostname and port, never the text of the URL.
 */
export function decide(url: URL, entries: readonly string[]): Decision {
  const defaultPort = DEFAULT_PORTS[url.protocol];
  if (defaultPort === undefined) return { allowed: false, reason: `only http: and https: requests are allowed, not ${url.protocol}` };
  const host = normalisedHostOf(url);
  if (host === "") return { allowed: false, reason: "the URL has no host" };
  const port = url.port === "" ? defaultPort : Number(url.port);
  const special = isSpecialHost(host);
  let hostListed = false;
  for (const domain of entries) {
    const e = splitEntry(domain);
    const hostMatches = e.wildcard ? !special && host.endsWith(`.${e.host}`) : e.host === host;
    if (!hostMatches) continue;
    hostListed = true;
    if (e.port === null ? url.port === "" : e.port === port) return { allowed: true, entry: domain };
  }
  if (hostListed) {
    return {
      allowed: false,
      reason: `port ${port} is not allowed for ${host} (an entry without a port allows only 80 for http: and 443 for https:; an entry ${host}:${port} would allow it)`,
    };
  }
  if (entries.length === 0) return { allowed: false, reason: "this account's outbound allow-list is empty, so no host is allowed" };
  const kind = describe(host);
  if (kind) return { allowed: false, reason: `${host} is ${kind}, which is reached only when listed explicitly in this account's allow-list (wildcards never match it)` };
  return { allowed: false, reason: `${host} is not on this account's outbound allow-list` };
}
