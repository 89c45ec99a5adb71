// The console's build: `vite build --config console/vite.config.mjs` writes console/dist, which
// wrangler.toml's [assets] serves. Preact's JSX through Vite's own transform (no preset and no
// Babel: the automatic runtime with Preact as its import source is all a Preact app needs).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The size of the first load is watched by the browser test step (≤ 50 KB gzipped).
    reportCompressedSize: false,
    // The editor's chunk (CodeMirror with its merge view and acorn, ~630 KB, ~205 KB gzipped) is
    // loaded only by the function editor; Vite's 500 KB warning would flag it on every build.
    chunkSizeWarningLimit: 800,
  },
});
