// A fresh, migrated local state for a throwaway platform (tests, the bench, the console's browser
// tests), copied from a template instead of migrated anew. `wrangler d1 migrations apply` starts a
// wrangler and a workerd of its own: 4–10 s here, more than starting the platform itself (3.5 s),
// and npm test starts four platforms on fresh states. The template is migrated once per content of
// migrations/ and wrangler.toml (its name is their hash), in the system's temporary folder; a copy
// takes milliseconds. `npm start` keeps migrating its own state in place (scripts/start.mjs).
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyMigrations } from "./runtime.mjs";
import { ROOT } from "./tools.mjs";

function contentHash() {
  const hash = createHash("sha256");
  const dir = path.join(ROOT, "migrations");
  for (const name of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const file = path.join(dir, name);
    if (name.endsWith(".sql") || name.endsWith(".json")) hash.update(name).update(readFileSync(file));
  }
  hash.update(readFileSync(path.join(ROOT, "wrangler.toml")));
  return hash.digest("hex").slice(0, 16);
}

/**
 * Makes `persistTo` a state with every migration applied. Resolves to 0, or to the exit code of a
 * failed migration. Two processes building the same template at once both migrate a private copy;
 * the first rename wins and the other's copy is dropped.
 */
export async function migratedState({ persistTo, stdio }) {
  const template = path.join(tmpdir(), "edgefn-migrated-state", contentHash());
  if (!existsSync(template)) {
    const building = `${template}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    const code = await applyMigrations({ persistTo: building, stdio });
    if (code !== 0) return code;
    mkdirSync(path.dirname(template), { recursive: true });
    try {
      renameSync(building, template);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another process made it first
    }
  }
  cpSync(template, persistTo, { recursive: true });
  return 0;
}
