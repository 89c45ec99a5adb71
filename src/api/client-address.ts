// The client's address, for the sign-in lockout (services/login-throttle.ts). On Cloudflare,
// CF-Connecting-IP is set by Cloudflare's edge and a client cannot choose it. Without it (a local
// run), the nearest front's entry of X-Forwarded-For (the last one: each proxy appends the address
// it saw) is taken, as a client can write any entries before it. Neither: one shared "unknown".
// IPv6 addresses count per /64, the block one host is usually given, so a host cannot step
// around the limit by changing its interface id.
import type { Context } from "hono";
import type { AppEnv } from "../env";

export function clientAddress(c: Context<AppEnv>): string {
  const cf = c.req.header("cf-connecting-ip")?.trim();
  const forwarded = c.req.header("x-forwarded-for")?.split(",").pop()?.trim();
  const address = (cf || forwarded || "").toLowerCase().slice(0, 100);
  if (!address) return "unknown";
  return address.includes(":") ? ipv6Prefix64(address) : address;
}

/** The /64 of an IPv6 address ("2001:db8:1:2::/64"); anything unparseable is kept as it is. */
function ipv6Prefix64(address: string): string {
  const bare = address.replace(/^\[|\](:\d+)?$/g, "").split("%")[0]!;
  if (!/^[0-9a-f:.]+$/.test(bare)) return address;
  const [head, tail] = bare.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  if (groups.length < 4) return address;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
