// LivePerson's "Salesforce" template (No Event, reference §8.4): a SOQL query through jsforce, the
// library LivePerson V1 ships (edgefn bundles jsforce 3; docs/functions.md#libraries). LivePerson's
// template goes through Toolbelt.SFClient, which edgefn does not serve; SFClient only wraps
// `new jsforce.Connection(...)`, so the template builds the connection itself and runs the same on
// both platforms.
//
// The credentials live in Secret Storage, never in the code or the payload: one secret of type json
// named "salesforce-credentials" (or the SALESFORCE_SECRET environment variable's value) holding either
//   { "instanceUrl": "https://acme.my.salesforce.com", "accessToken": "00D..." }         (an OAuth token)
//   { "loginUrl": "https://login.salesforce.com", "username": "...", "password": "...",
//     "clientId": "...", "clientSecret": "..." }                                            (user login)
// and optionally "version" (the REST API version, e.g. "59.0"). Without clientId/clientSecret the
// login is jsforce's SOAP login, which Salesforce retires with API version 65.0. The shape is edgefn's choice: these
// are the fields jsforce's Connection and login() take, so nothing needs translating.
import { sample, type Template } from "./template";

export const salesforce: Template = {
  templateId: "salesforce",
  name: "Salesforce",
  eventId: null,
  description: "Runs the SOQL query in payload.query with jsforce, credentials from Secret Storage.",
  code: String.raw`async function lambda(input, callback) {
  // Runs a SOQL query against Salesforce with jsforce and answers { totalSize, done, records }.
  // Invoke with e.g. { "headers": [], "payload": { "query": "SELECT Id, Name FROM Account LIMIT 5" } }.
  //
  // Credentials: a secret of type json in Secret Storage (Settings > Secret Storage, or POST /secrets)
  // named "salesforce-credentials" (or the SALESFORCE_SECRET environment variable's value), holding
  // either an OAuth access token:
  //   { "instanceUrl": "https://acme.my.salesforce.com", "accessToken": "00D..." }
  // or a user login (password followed by the user's security token, as Salesforce's API wants it),
  // best with a connected app's clientId and clientSecret (OAuth 2.0; without them jsforce uses the
  // SOAP login, which Salesforce retires with API version 65.0):
  //   { "loginUrl": "https://login.salesforce.com", "username": "api@acme.com", "password": "...",
  //     "clientId": "3MVG9...", "clientSecret": "..." }
  // plus, optionally, "version": the REST API version (jsforce's default otherwise).
  // Domain allow-list: add the instance's host (and the login host when logging in with a password),
  // e.g. acme.my.salesforce.com and login.salesforce.com: every other host is refused.
  //
  // Anyone who may invoke this function may run any SOQL query with these credentials: give them a
  // Salesforce user that can read only what callers should see, or fix the query in the code.
  const jsforce = require("jsforce");
  const { Toolbelt } = require("lp-faas-toolbelt");

  const secretName = process.env.SALESFORCE_SECRET || "salesforce-credentials";
  const payload = input.payload || {};
  const query = typeof payload.query === "string" && payload.query.trim() !== "" ? payload.query : "SELECT Id, Name FROM Account LIMIT 5";

  let credentials;
  try {
    const secret = await Toolbelt.SecretClient().readSecret(secretName);
    credentials = typeof secret.value === "string" ? JSON.parse(secret.value) : secret.value;
  } catch (error) {
    if (error.code === "com.liveperson.faas.secret.not-found") {
      callback(new Error("No Salesforce credentials: add a secret of type json named " + secretName +
        ' holding { "instanceUrl", "accessToken" } or { "loginUrl", "username", "password" }'));
    } else {
      callback(new Error("The secret " + secretName + " could not be read as JSON credentials: " + error.message));
    }
    return;
  }
  credentials = credentials || {};

  try {
    const options = credentials.version ? { version: String(credentials.version) } : {};
    let conn;
    if (credentials.accessToken) {
      conn = new jsforce.Connection(Object.assign(options, { instanceUrl: credentials.instanceUrl, accessToken: credentials.accessToken }));
    } else if (credentials.username && credentials.password) {
      const loginUrl = credentials.loginUrl || "https://login.salesforce.com";
      // With a connected app's clientId and clientSecret jsforce logs in with OAuth 2.0 (the
      // username-password flow); without them it uses the SOAP login, which Salesforce retires
      // with API version 65.0.
      conn = new jsforce.Connection(Object.assign(options, credentials.clientId && credentials.clientSecret
        ? { oauth2: { loginUrl: loginUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret } }
        : { loginUrl: loginUrl }));
      await conn.login(credentials.username, credentials.password);
    } else {
      callback(new Error("The secret " + secretName + ' needs { "instanceUrl", "accessToken" } or { "loginUrl", "username", "password" }'));
      return;
    }
    const result = await conn.query(query);
    // Each record carries jsforce's "attributes" (type and API URL); answer the fields only.
    const records = result.records.map((record) => {
      const fields = Object.assign({}, record);
      delete fields.attributes;
      return fields;
    });
    console.info("Salesforce query", { totalSize: result.totalSize, done: result.done });
    callback(null, { totalSize: result.totalSize, done: result.done, records: records });
  } catch (error) {
    // Salesforce's own errors (INVALID_SESSION_ID, MALFORMED_QUERY...) name what went wrong; a
    // refused or unreachable host usually means it is not on the domain allow-list yet.
    callback(new Error("Salesforce query failed: " + (error.errorCode ? error.errorCode + ": " : "") + error.message));
  }
}
`,
  samplePayload: sample({ query: "SELECT Id, Name FROM Account LIMIT 5" }),
};
