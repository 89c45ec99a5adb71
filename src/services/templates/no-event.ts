// Templates of functions bound to no event (invoked directly, on a schedule or by a bot): Greeting
// (the default), HTTP, Logging and Secret Storage. LivePerson's Salesforce template, the fifth, has
// its own file (salesforce.ts).
//
// The code is JavaScript shipped as text, so it is written without backticks and without `${`:
// String.raw keeps it exactly as a brand would see it in the editor.
import { sample, type Template } from "./template";

const greeting: Template = {
  templateId: "greeting",
  name: "Greeting",
  eventId: null,
  description: "Hello world: answers a greeting for payload.name. The default template.",
  code: String.raw`function lambda(input, callback) {
  // input is { timestamp, headers: [{ key, value }], payload }; payload is whatever the caller sent.
  // Answer with callback(error, result): null as the error on success, and a JSON-serialisable result.
  const name = input.payload && input.payload.name ? input.payload.name : "World";
  callback(null, "Hello " + name + "!");
}
`,
  samplePayload: sample({ name: "World" }),
};

const http: Template = {
  templateId: "http",
  name: "HTTP",
  eventId: null,
  description: "Calls the URL in payload.url with Toolbelt.HTTPClient and answers status and body.",
  code: String.raw`async function lambda(input, callback) {
  // Calls the URL given as payload.url, e.g. invoke with { "headers": [], "payload": { "url": "https://www.example.com/" } },
  // and answers { url, statusCode, body }.
  // The URL's host must be on the account's domain allow-list (Settings > Domain Allowlist, or
  // POST /proxy-settings): any other host is refused before the request leaves the platform.
  const { Toolbelt } = require("lp-faas-toolbelt");
  const httpClient = Toolbelt.HTTPClient(); // request-promise style options

  const url = input.payload && input.payload.url;
  if (typeof url !== "string" || url === "") {
    callback(new Error('Send the URL to call as payload.url, e.g. { "url": "https://www.example.com/" }'));
    return;
  }
  try {
    const response = await httpClient({
      method: "GET",
      uri: url,
      json: true, // parse a JSON answer; any other answer stays text
      simple: false, // answer every status instead of rejecting a non-2xx one
      resolveWithFullResponse: true, // statusCode and headers as well as the body
      timeout: 10000, // ms
    });
    callback(null, { url: url, statusCode: response.statusCode, body: response.body });
  } catch (error) {
    // No answer at all: the host is not on the allow-list, the network failed, or the timeout hit.
    callback(null, { url: url, reachable: false, error: error.message, hint: "Is the URL's host on the domain allow-list?" });
  }
}
`,
  samplePayload: sample({ url: "https://www.example.com/" }),
};

const logging: Template = {
  templateId: "logging",
  name: "Logging",
  eventId: null,
  description: "Checks an order and logs with console.info/debug/warn/error and extras.",
  code: String.raw`function lambda(input, callback) {
  // console.debug|info|warn|error(message, ...extras) become this invocation's log entries; extras
  // are any JSON-serialisable values. Per invocation at most 10 entries and about 6000 characters
  // in total, so log summaries, not one line per item. Debug entries appear only in test
  // invocations. Logs are not sanitised: never log secrets or personal data.
  const PRICES = { "TSHIRT-M": 19.9, "MUG": 9.5 }; // stands in for your product catalogue

  const order = input.payload || {};
  const items = Array.isArray(order.items) ? order.items : [];
  console.info("Order received", { orderId: order.orderId, items: items.length });
  console.debug("Prices used", PRICES);

  const withoutQuantity = items.filter((item) => !(item.quantity > 0));
  if (withoutQuantity.length > 0) {
    console.warn("Ignoring items without a positive quantity", { skus: withoutQuantity.map((item) => item.sku) });
  }
  const counted = items.filter((item) => item.quantity > 0);
  const unknown = counted.filter((item) => !(item.sku in PRICES));
  if (unknown.length > 0) {
    console.error("Unknown products in the order", { orderId: order.orderId, skus: unknown.map((item) => item.sku) });
  }
  const priced = counted.filter((item) => item.sku in PRICES);
  const total = priced.reduce((sum, item) => sum + PRICES[item.sku] * item.quantity, 0);

  callback(null, { orderId: order.orderId || null, pricedItems: priced.length, total: Math.round(total * 100) / 100 });
}
`,
  samplePayload: sample({
    orderId: "A-10023",
    items: [
      { sku: "TSHIRT-M", quantity: 2 },
      { sku: "MUG", quantity: 0 },
      { sku: "HAT-XL", quantity: 1 },
    ],
  }),
};

const secretStorage: Template = {
  templateId: "secret-storage",
  name: "Secret Storage",
  eventId: null,
  description: "Reads a secret with Toolbelt.SecretClient and reports whether it exists, never its value.",
  code: String.raw`async function lambda(input, callback) {
  // Reads a secret of the account's Secret Storage (create it under Settings > Secret Storage, or
  // POST /secrets) and answers whether it exists, never its value.
  // Which secret: the SECRET_NAME environment variable when set (then callers cannot choose), else
  // payload.secretName, else "my-secret".
  // Never return or log a secret's value: results and logs are seen by other people.
  const { Toolbelt } = require("lp-faas-toolbelt");
  const secretClient = Toolbelt.SecretClient();

  const payload = input.payload || {};
  const secretName = process.env.SECRET_NAME || payload.secretName || "my-secret";
  let secret;
  try {
    secret = await secretClient.readSecret(secretName); // { key, value }; always the latest value
  } catch (error) {
    if (error.code === "com.liveperson.faas.secret.not-found") {
      callback(null, { secretName: secretName, found: false, message: "There is no secret named " + secretName + " yet; add it to Secret Storage first." });
    } else {
      callback(error);
    }
    return;
  }
  // Use secret.value here, e.g. as a token: { headers: { Authorization: "Bearer " + secret.value } }
  const text = typeof secret.value === "string" ? secret.value : JSON.stringify(secret.value);
  console.info("Secret read", { secretName: secretName });
  callback(null, { secretName: secretName, found: true, valueLength: text.length });
}
`,
  samplePayload: sample({ secretName: "my-secret" }),
};

export const NO_EVENT_TEMPLATES: Template[] = [greeting, http, logging, secretStorage];
