// GET /?id=<id>: the isolate of that id answers (built on its first call: a cold start). GET /healthz: 200.
const MAIN = `export default { fetch() { return new Response(JSON.stringify("hello")); } };`;

export default {
  fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    const isolate = env.LOADER.get(url.searchParams.get("id") ?? "0", () => ({
      compatibilityDate: "2026-10-01",
      compatibilityFlags: ["nodejs_compat"],
      mainModule: "main.js",
      modules: { "main.js": MAIN },
    }));
    return isolate.getEntrypoint().fetch(request);
  },
};
