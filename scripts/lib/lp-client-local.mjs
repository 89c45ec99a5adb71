// LivePerson's published Node client (`liveperson-functions-client`, devDependency) pointed at a
// local edgefn, without changing the client: only the origin of its URLs is swapped.
//
// The client finds its hosts through CSDS (`tooling.getCsdsEntry`) and builds each URL with legacy
// url.format({hostname}), which cannot carry a port. So (recipe A of the LivePerson reference):
//   - getCsdsEntry answers fake domain names; whether they contain `fninvocations`/`functions` is
//     the ONLY thing that makes the client speak V1 or V2 (its isV2Domain), so the mode is chosen here;
//   - a subclass overrides the protected getUrl: the client's own path and query are kept and only
//     the origin becomes `baseUrl` (http://127.0.0.1:<port>).
// got (retries, timeouts), the headers, the bodies, the auth strategies and the error mapping all
// stay the client's own.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Client } = require("liveperson-functions-client");

/** CSDS answers per mode; V2 is chosen by the names alone (the client's isV2Domain). */
export const DOMAINS = {
  v1: { faasGW: "faasgw.local.test", faasUI: "faasui.local.test" },
  v2: { faasGW: "fninvocations.local.test", faasUI: "functions.local.test" },
};

/**
 * A real `Client` whose requests go to `baseUrl`. Returns { client, urls }: `urls` collects every URL
 * the client built (path + query, before the origin swap), in order.
 *   mode      'v1' | 'v2'
 *   sentinel  what CSDS answers for "sentinel" (the client-credentials token host; the client always
 *             uses https for it and, unlike the FaaS calls, a `host:port` works there)
 *   config    anything else of the client's config (authStrategy, failOnErrorStatusCode, ...)
 */
export function createLocalClient({ baseUrl, accountId, mode, sentinel, ...config }) {
  const domains = DOMAINS[mode];
  if (!domains) throw new Error(`mode must be v1 or v2, not ${mode}`);
  const origin = new URL(baseUrl).origin;
  const urls = [];

  class LocalClient extends Client {
    async getUrl(options) {
      const built = new URL(await super.getUrl(options));
      urls.push(built.pathname + built.search);
      return origin + built.pathname + built.search;
    }
  }

  const getCsdsEntry = async (_account, service) => {
    const domain = service === "sentinel" ? sentinel : domains[service];
    if (!domain) throw new Error(`no local CSDS entry for service ${service}`);
    return domain;
  };
  const client = new LocalClient({ accountId, protocol: "http", ...config }, { getCsdsEntry });
  return { client, urls };
}
