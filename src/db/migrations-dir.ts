// Node-only: where migrations/ is, found from the package root, so the same code works from src/ (tsx,
// tests, scripts) and from the bundled dist/node.js that `npm start` runs.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Walks up from the module's folder to the first folder holding migrations/meta/_journal.json. */
export function findMigrationsDir(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, "migrations");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`migrations/ not found in ${start} or any folder above it`);
  }
}
