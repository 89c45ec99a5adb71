// @ts-check
"use strict";
// `platform.js` in every tenant isolate (CommonJS): how the toolbelt module reaches the platform.
// The wrapper (main.js) fills it in when the isolate loads. It holds functions only, never state
// an invocation's record is built from (that stays in main.js's closure and on the host), so brand
// code that requires it and rewrites it can only break its own toolbelt calls.

/** @type {{ callToolbelt(method: string, args: unknown[]): Promise<unknown>; noteSecret(key: unknown, value: unknown): void; accountId(): string | null }} */
module.exports = {
  callToolbelt: async () => {
    throw new Error("the platform wrapper did not set up the toolbelt");
  },
  noteSecret: () => {},
  accountId: () => null,
};
