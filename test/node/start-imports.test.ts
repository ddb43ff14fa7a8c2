// What `npm start` loads before any request: the Node build (scripts/build-node.mjs, built here in memory
// with its own options) must reach grammY, Bolt, pdf-lib, fontkit and yaml only through `import()`, so a
// platform's library, the PDF code and the seed parser cost memory only once they are used; a file
// database loads libSQL's embedded driver only (the remote clients and `ws` wait for a remote URL); and
// sending a Telegram message loads no grammY; zod comes without its locale bundle. (The workbook writer is the project's own few kilobytes on
// fflate, services/statistics/xlsx-writer.ts; it needs no split.)
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without type declarations
import { nodeBuildOptions } from "../../scripts/build-node.mjs";

const LOADED_ON_DEMAND = ["grammy", "@slack/bolt", "@slack/web-api", "pdf-lib", "@pdf-lib/fontkit", "yaml"];

/** The packages each output file imports, split into those loaded with the file and those behind `import()`. */
function startGraph(metafile: Metafile, entry = Object.keys(metafile.outputs).find((path) => metafile.outputs[path]!.entryPoint === "src/node.ts")!) {
  const outputs = metafile.outputs;
  const loaded = new Set<string>();
  const packagesAtStart = new Set<string>();
  const dynamicChunks = new Set<string>();
  const dynamicPackages = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const imp of outputs[file]!.imports) {
      if (imp.kind === "dynamic-import") {
        (imp.external ? dynamicPackages : dynamicChunks).add(imp.path);
        continue;
      }
      if (imp.external) packagesAtStart.add(imp.path);
      else queue.push(imp.path);
    }
  }
  return { packagesAtStart, dynamicChunks, dynamicPackages, loaded };
}

/** The Node build's metafile, built once in memory for all the tests here. */
let built: Promise<Metafile> | undefined;
const nodeBuild = () => (built ??= build({ ...nodeBuildOptions, write: false, metafile: true, sourcemap: false, logLevel: "silent" }).then((r) => r.metafile!));

/** The output file (chunk) that holds a source file. */
const chunkOf = (metafile: Metafile, source: string) => Object.keys(metafile.outputs).find((path) => Object.keys(metafile.outputs[path]!.inputs).includes(source));

describe("the Node entry at start", () => {
  it("imports no platform library or PDF code statically; each is a chunk of its own behind import()", { timeout: 60_000 }, async () => {
    const metafile = await nodeBuild();
    const { packagesAtStart, dynamicChunks, dynamicPackages, loaded } = startGraph(metafile);
    const packageName = (path: string) => path.split("/").slice(0, path.startsWith("@") ? 2 : 1).join("/");
    const atStart = [...packagesAtStart].map(packageName);
    // The start path does load the server's own stack: the check is looking at the right graph.
    expect(atStart).toEqual(expect.arrayContaining(["@hono/node-server", "@libsql/client", "hono", "drizzle-orm"]));
    // zod is bundled (from src/worker-shims/zod.ts) so its locale bundle is left out: only English's messages remain.
    expect(atStart).not.toContain("zod");
    const localeBytes = Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([path, i]) => /zod\/v4\/locales\/(?!en\.js)/.test(path) && i.bytesInOutput > 0).map(([path]) => path));
    expect(localeBytes).toEqual([]);
    for (const name of LOADED_ON_DEMAND) expect(atStart, `${name} is imported at start`).not.toContain(name);
    // And each of them is reachable through a dynamic import (else it would not be there at all).
    const later = new Set([...dynamicPackages].map(packageName));
    for (const chunk of dynamicChunks) {
      const queue = [chunk];
      const seen = new Set<string>();
      while (queue.length) {
        const file = queue.pop()!;
        if (seen.has(file) || loaded.has(file)) continue;
        seen.add(file);
        for (const imp of metafile.outputs[file]!.imports) {
          if (imp.external) later.add(packageName(imp.path));
          else queue.push(imp.path);
        }
      }
    }
    for (const name of ["grammy", "@slack/bolt", "pdf-lib", "@pdf-lib/fontkit", "yaml"]) expect(later, `${name} never loads`).toContain(name);
    // libSQL: the embedded driver's own entry at start; the full client (remote URLs) only behind import().
    expect([...packagesAtStart]).toContain("@libsql/client/sqlite3");
    expect([...packagesAtStart]).not.toContain("@libsql/client");
    expect([...dynamicPackages]).toContain("@libsql/client");
  });

  it("sends Telegram messages without grammY: the adapter's chunk and what it imports reach no grammy", { timeout: 60_000 }, async () => {
    const metafile = await nodeBuild();
    const adapterChunk = chunkOf(metafile, "src/chat/telegram/adapter.ts");
    expect(adapterChunk, "the Telegram adapter is in the build").toBeDefined();
    // It is a chunk of its own (loaded when Telegram is configured), not part of the start.
    expect(startGraph(metafile).loaded).not.toContain(adapterChunk);
    const { packagesAtStart, dynamicPackages } = startGraph(metafile, adapterChunk);
    expect([...packagesAtStart, ...dynamicPackages].filter((p) => p === "grammy" || p.startsWith("grammy/"))).toEqual([]);
    // The bot (inbound updates) still uses grammY: the check above is looking at the right graph.
    const botChunk = chunkOf(metafile, "src/chat/telegram/bot.ts")!;
    expect([...startGraph(metafile, botChunk).packagesAtStart]).toContain("grammy");
  });

  it("sends Slack messages without @slack/web-api or Bolt: the adapter's chunk reaches neither", { timeout: 60_000 }, async () => {
    const metafile = await nodeBuild();
    const adapterChunk = chunkOf(metafile, "src/chat/slack/adapter.ts");
    expect(adapterChunk, "the Slack adapter is in the build").toBeDefined();
    expect(startGraph(metafile).loaded).not.toContain(adapterChunk);
    const { packagesAtStart, dynamicPackages } = startGraph(metafile, adapterChunk);
    expect([...packagesAtStart, ...dynamicPackages].filter((p) => p.startsWith("@slack/"))).toEqual([]);
    // Bolt's App (inbound requests) still brings the Web API client: the check above looks at the right graph.
    const appChunk = chunkOf(metafile, "src/chat/slack/app.ts")!;
    expect([...startGraph(metafile, appChunk).packagesAtStart].some((p) => p.startsWith("@slack/bolt"))).toBe(true);
  });
});
