// `npm run build`: bundles src/node.ts into dist/node.js for `npm start` (plain Node, no TypeScript loader).
// Packages stay in node_modules (native libSQL bindings must not be bundled), except JSON data files
// imported from packages: Node would demand an import attribute for those, so they are inlined.
import { build } from "esbuild";

const packagesExceptJson = {
  name: "packages-except-json",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.endsWith(".json") ? undefined : { path: args.path, external: true }));
  },
};

await build({
  entryPoints: ["src/node.ts"],
  outfile: "dist/node.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  jsx: "automatic",
  jsxImportSource: "hono/jsx",
  sourcemap: true,
  logLevel: "warning",
  plugins: [packagesExceptJson],
});
