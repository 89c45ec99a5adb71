// An https front for a local edgefn (`npm start`), so that LivePerson's CLI lpf can reach it
// (docs/lpf.md). It makes a throwaway self-signed certificate for 127.0.0.1 with openssl in a new
// temporary folder, forwards every request to the platform and prints what to export in the shell
// that runs lpf. Ctrl-C stops it and removes the folder.
//
//   node scripts/lib/lpf-front.mjs [--upstream-port 8787] [--port 8443]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { LPF_PRELOAD, hasOpenssl, startTlsFront } from "./lpf-local.mjs";

const { values } = parseArgs({ options: { "upstream-port": { type: "string", default: "8787" }, port: { type: "string", default: "8443" } } });
if (!hasOpenssl()) {
  console.error("lpf-front: openssl is needed to make the certificate");
  process.exit(1);
}
const dir = mkdtempSync(path.join(tmpdir(), "edgefn-lpf-front-"));
const stop = () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
try {
  const front = await startTlsFront({ dir, upstreamPort: Number(values["upstream-port"]), port: Number(values.port) });
  console.log(`https://${front.domain} → http://127.0.0.1:${values["upstream-port"]}. In the shell that runs lpf:\n`);
  console.log(`export NODE_OPTIONS="--require ${LPF_PRELOAD}"`);
  console.log(`export LPF_CSDS_DOMAIN=${front.domain}`);
  console.log(`export NODE_EXTRA_CA_CERTS=${front.bundle}\n`);
  console.log("Ctrl-C stops the front and removes its certificate.");
} catch (error) {
  console.error(`lpf-front: ${error.message}`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
