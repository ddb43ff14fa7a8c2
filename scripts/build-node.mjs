// `npm run build`: bundles src/node.ts into dist/node.js for `npm start` (plain Node, no TypeScript loader).
// Packages stay in node_modules (native libSQL bindings must not be bundled), except JSON data files
// imported from packages (Node would demand an import attribute for those, so they are inlined) and zod
// (bundled without its locales, below).
// Code split: what src/ loads with `import()` (grammY and Bolt for a platform first needed, pdf-lib for the
// first receipt PDF) lands in dist/chunks/ and is read only then.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

// zod's `z` without its locale bundle (every language's messages, ~7 MB resident once Node has loaded
// them as modules), as the Worker has it: zod is bundled, tree-shaken, from the shim.
const ZOD_WITHOUT_LOCALES = fileURLToPath(new URL("../src/worker-shims/zod.ts", import.meta.url));

const packagesExceptJson = {
  name: "packages-except-json",
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, () => ({ path: ZOD_WITHOUT_LOCALES }));
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.endsWith(".json") || args.path.startsWith("zod/") ? undefined : { path: args.path, external: true }));
  },
};

/** The build's options; test/architecture/node-start.test.ts builds with them (in memory) to read the import graph. */
export const nodeBuildOptions = {
  entryPoints: ["src/node.ts"],
  outdir: "dist",
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  jsx: "automatic",
  jsxImportSource: "hono/jsx",
  sourcemap: true,
  // Maps without the sources: `--enable-source-maps` (npm start) parses the maps of every loaded file, and
  // embedded sources cost memory for as long as the server runs; traces still name src/ files and lines.
  sourcesContent: false,
  // Whitespace and comments out: V8 keeps every loaded file's source for as long as the server runs (as
  // UTF-16 when it holds one non-ASCII character, as the Chinese in comments made it); names stay, so
  // traces read without the map too.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  plugins: [packagesExceptJson],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Chunk names carry a hash: clear the old ones so dist/ holds one build.
  rmSync("dist/chunks", { recursive: true, force: true });
  await build(nodeBuildOptions);
}
