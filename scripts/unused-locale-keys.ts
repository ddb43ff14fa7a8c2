// Lists translation keys (locales/*.json) that no code in src can ask for: the key is not written out
// anywhere in src in quotes, nor covered by a key src builds (a template literal whose fixed head starts
// it, `reward.status.${status}`; or a quoted prefix of two segments or more that code extends, `${K}.title`
// with K = "workspace.campaign_start"). Plural forms count as used with their base (tn). Conservative: a
// key it lists is unreachable from src; it may miss dead keys under a prefix that some code builds.
// Run: npx tsx scripts/unused-locale-keys.ts (test/core/locale-keys-used.test.ts keeps the list empty).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = "", out: string[] = []): string[] {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.push(key);
    else flatten(v, key, out);
  }
  return out;
}

const PLURAL_SUFFIX = /\.(zero|one|two|few|many|other)$/;

export function findUnusedLocaleKeys(root: string): string[] {
  const keys = new Set<string>();
  for (const file of readdirSync(join(root, "locales")).filter((f) => f.endsWith(".json")))
    for (const key of flatten(JSON.parse(readFileSync(join(root, "locales", file), "utf8")) as Tree)) keys.add(key);
  const source = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f) && !f.startsWith(join("core", "reference")))
    .map((f) => readFileSync(join(root, "src", f), "utf8"))
    .join("\n");
  const quoted = (s: string) => ['"', "'", "`"].some((q) => source.includes(`${q}${s}${q}`));
  const builtHeads = [...source.matchAll(/`([A-Za-z0-9_.]+)\$\{/g)].map((m) => m[1]!);
  return [...keys]
    .filter((key) => {
      if (quoted(key) || quoted(key.replace(PLURAL_SUFFIX, ""))) return false;
      if (builtHeads.some((head) => key.startsWith(head))) return false;
      const parts = key.split(".");
      for (let i = 2; i < parts.length; i++) if (quoted(parts.slice(0, i).join("."))) return false;
      return true;
    })
    .sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const unused = findUnusedLocaleKeys(process.cwd());
  console.log(unused.length ? unused.join("\n") : "every translation key is reachable from src");
  process.exitCode = unused.length ? 1 : 0;
}
