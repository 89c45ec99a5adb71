// Points LivePerson's CLI (lpf, liveperson-functions-cli 1.31.13) at an edgefn: lpf looks its hosts
// up in LivePerson's CSDS, whose host it hard-codes (api.liveperson.net and others). This file,
// loaded with NODE_OPTIONS="--require /path/to/lpf-preload.cjs", replaces only that host with
// LPF_CSDS_DOMAIN (host[:port] of an https front before edgefn); everything else stays lpf's own.
// It does nothing in any other Node process (npm, which `lpf init` runs, inherits NODE_OPTIONS).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const domain = process.env.LPF_CSDS_DOMAIN;
let main = "";
try {
  main = fs.realpathSync(process.argv[1] || ""); // through the `lpf` symlink of a global or local install
} catch {}
const cli = path.resolve(path.dirname(main), "..");
if (domain && path.basename(cli) === "liveperson-functions-cli" && path.basename(main) === "run") {
  const { CsdsClient } = require(path.join(cli, "lib", "service", "csds.service.js"));
  CsdsClient.prototype.getCsdsDomain = () => domain;
}
