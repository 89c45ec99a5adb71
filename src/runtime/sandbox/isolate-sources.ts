// The platform modules of a tenant isolate, as the text the Worker Loader is given. They are real
// JavaScript files in ./isolate, checked by tsc (checkJs) like the rest of the code, and bundled as
// text: by wrangler's Text module rule for `isolate/*.js` (wrangler.toml [[rules]]), and in tests by
// the same rule in vitest.config.ts. The casts say what the bundlers make of these imports.
import mainModule from "./isolate/main.js";
// values.js is an ES module with named exports only (main.js imports them): its text is the default the bundlers add.
import * as valuesModule from "./isolate/values.js";
import platformModule from "./isolate/platform.js";
import toolbeltModule from "./isolate/toolbelt.js";
import httpClientModule from "./isolate/http-client.js";
import orchestratorClientModule from "./isolate/orchestrator-client.js";
import lpClientModule from "./isolate/lp-client.js";
import oauth1Module from "./isolate/oauth1.js";
import conversationUtilModule from "./isolate/conversation-util.js";
import gdprUtilModule from "./isolate/gdpr-util.js";
import lpClientV2Module from "./isolate/lp-client-v2.js";
import toolbeltV2Module from "./isolate/toolbelt-v2.js";

const text = (module: unknown) => module as unknown as string;

export const WRAPPER_SOURCE = text(mainModule);
export const VALUES_SOURCE = text((valuesModule as unknown as { default: unknown }).default);
export const PLATFORM_SOURCE = text(platformModule);
export const TOOLBELT_SOURCE = text(toolbeltModule);
export const HTTP_CLIENT_SOURCE = text(httpClientModule);
export const ORCHESTRATOR_CLIENT_SOURCE = text(orchestratorClientModule);
export const LP_CLIENT_SOURCE = text(lpClientModule);
export const OAUTH1_SOURCE = text(oauth1Module);
export const CONVERSATION_UTIL_SOURCE = text(conversationUtilModule);
export const GDPR_UTIL_SOURCE = text(gdprUtilModule);
export const LP_CLIENT_V2_SOURCE = text(lpClientV2Module);
/** `core-functions-toolbelt`: V1's toolbelt with V2's LpClient. */
export const TOOLBELT_V2_SOURCE = text(toolbeltV2Module);

/**
 * The names brand code requires the toolbelt by (LivePerson's V1 and V2 names, and edgefn's own).
 * The first is the toolbelt itself; V2's name differs from it only in LpClient (TOOLBELT_V2_SOURCE).
 */
export const TOOLBELT_MODULE_NAMES = ["lp-faas-toolbelt", "core-functions-toolbelt", "edgefn-toolbelt"] as const;
