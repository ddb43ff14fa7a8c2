// How `npm start` runs the server, read from package.json's start script so the benches cannot drift
// from it: the environment it sets for the process (`NAME=value exec node …`) and Node's flags.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface ProductionStart {
  /** Variables the start script sets for the server process (e.g. MALLOC_ARENA_MAX). */
  env: Record<string, string>;
  /** Node's flags before dist/node.js. */
  flags: string[];
}

/**
 * `npm start`'s environment and Node flags. BENCH_START_ENV ("NAME=value …", or empty for none) tries
 * another environment in its place, so a setting can be measured with and without it in one run.
 */
export function productionStart(root: string): ProductionStart {
  const start = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const m = /((?:\b[A-Z_][A-Z0-9_]*=\S+\s+)*)(?:exec\s+)?\bnode\s+(.*?)\s*dist\/node\.js/.exec(start);
  if (!m) throw new Error(`package.json start script does not run dist/node.js: ${start}`);
  const assignments = process.env.BENCH_START_ENV ?? m[1]!;
  const env = Object.fromEntries(
    assignments
      .split(/\s+/)
      .filter(Boolean)
      .map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] as const),
  );
  return { env, flags: m[2]!.split(/\s+/).filter(Boolean) };
}
