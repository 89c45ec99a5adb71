// Toolbelt.MTLSClient stays unavailable (a Worker cannot present a client certificate chosen at run
// time); its error names the alternative, an operator-configured mTLS certificate binding.
import { describe, expect, it } from "vitest";
import { deployed, json, newAccount, testInvoke } from "./helpers/api";

describe("Toolbelt.MTLSClient", () => {
  it("rejects every method with ToolbeltUnavailableError naming the mtls_certificates binding", async () => {
    const a = await newAccount();
    const uuid = await deployed(
      a,
      `const { Toolbelt } = require('lp-faas-toolbelt');
       async function lambda() {
         const client = Toolbelt.MTLSClient({ cert: 'c', key: 'k' });
         const out = [];
         for (const m of ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']) {
           try { await client[m]('https://partner.example/api'); out.push('sent'); } catch (e) { out.push(e.name + ': ' + e.message); }
         }
         return out;
       }`,
    );
    const { result } = await json(await testInvoke(a, uuid));
    expect(result).toHaveLength(7);
    for (const line of result) {
      expect(line).toMatch(/^ToolbeltUnavailableError: Toolbelt\.MTLSClient is not available on edgefn: .*client certificate.*mtls_certificates.*operator/);
    }
  });
});
