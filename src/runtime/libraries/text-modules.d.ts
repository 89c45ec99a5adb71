// The generated library modules (scripts/lib/libraries-build.mjs) are imported as text: wrangler's
// default Text rule for *.txt, and vitest.config.ts's plugin in tests.
declare module "*.txt" {
  const text: string;
  export default text;
}
