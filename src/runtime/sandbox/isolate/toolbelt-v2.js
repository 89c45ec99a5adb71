// @ts-check
// `core-functions-toolbelt` in the tenant isolate of code that names the toolbelt (CommonJS): LivePerson Functions V2's name for
// the toolbelt. It is V1's toolbelt (the module `lp-faas-toolbelt`, one instance: the same
// SecretClient, error classes and enums) except for LpClient, which is V2's fetch-style client
// (lp-client-v2.js: OAuth 2.0 client credentials, resolves a Response) instead of V1's OAuth 1.0a one.
"use strict";
// @ts-expect-error -- in the isolate toolbelt.js is the module "lp-faas-toolbelt" (worker-code.ts); tsc knows only the file
const v1 = /** @type {typeof import("./toolbelt.js")} */ (require("lp-faas-toolbelt"));
const { LpClient } = require("./lp-client-v2.js");

module.exports = { ...v1, Toolbelt: { ...v1.Toolbelt, LpClient } };
