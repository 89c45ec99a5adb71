#!/usr/bin/env node
// efn: edgefn's CLI (the package's bin). Plain ES modules with JSDoc types checked by tsc, so it
// runs from a fresh clone after npm install with no build step.
import { main } from "./lib/main.js";

process.exitCode = await main(process.argv.slice(2));
