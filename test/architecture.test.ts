// The house rules the README's map states, checked on the source: pages, API routes and chat handlers
// import no table; no module of src/ is part of a value-import circle; no room grows into a hall.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve("src");
/** Generated data is exempt from the size rule. */
const GENERATED = [/services\/campaigns\/templates\/index\.ts$/, /core\/reference\//];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** Value imports and re-exports of a module (type-only ones do not load anything, so they cannot make a circle). */
function valueImports(file: string, text: string): string[] {
  const out: string[] = [];
  const statement = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s*["']([^"']+)["']/g;
  for (let m = statement.exec(text); m; m = statement.exec(text)) {
    if (m[1]) continue;
    const names = /^\{([^}]*)\}$/.exec(m[2]!.trim());
    if (names && names[1]!.split(",").map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith("type "))) continue;
    const target = resolveImport(file, m[3]!);
    if (target) out.push(target);
  }
  const bare = /(?:^|\n)\s*import\s+["']([^"']+)["']/g;
  for (let m = bare.exec(text); m; m = bare.exec(text)) {
    const target = resolveImport(file, m[1]!);
    if (target) out.push(target);
  }
  return out;
}

/** Strongly connected groups of more than one module (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.map((f) => relative(SRC, f)));
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = sourceFiles(SRC);
const texts = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));

describe("the house", () => {
  it("has no value-import circle among the modules of src/", () => {
    const graph = new Map(files.map((f) => [f, valueImports(f, texts.get(f)!)]));
    expect(circles(graph)).toEqual([]);
  });

  it("keeps tables out of pages, API routes and chat handlers (they call use cases)", () => {
    const offenders = files.filter((f) => /\/src\/(http|chat)\//.test(f) && /from\s+["'][^"']*db\/schema["']/.test(texts.get(f)!));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it("keeps every module under 400 lines but generated data", () => {
    const halls = files
      .filter((f) => !GENERATED.some((g) => g.test(f)))
      .map((f) => ({ file: relative(SRC, f), lines: texts.get(f)!.split("\n").length - 1 }))
      .filter((f) => f.lines > 400);
    expect(halls).toEqual([]);
  });

  it("lets only the two entry files know their runtime", () => {
    const runtimeAware = files.filter((f) => /from\s+["']@hono\/node-server|from\s+["']node-cron["']/.test(texts.get(f)!)).map((f) => relative(SRC, f));
    for (const file of runtimeAware) expect(["node.ts", "worker.ts"].includes(file) || file.startsWith("db/") || file.startsWith("chat/runtime"), file).toBe(true);
  });
});
