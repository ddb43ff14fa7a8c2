// `npm run keys`: fresh key material. Prints ENCRYPTION_KEYS, HASH_KEY, SIGNING_KEY and LOG_CHAIN_KEY as .env lines;
// `npm run keys -- --dev-vars` writes them with APP_ENV=development to .dev.vars for `wrangler dev`
// (an existing .dev.vars is left alone).
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyMaterial, type KeyMaterial } from "../src/security/keys";

export function keyLines(material: KeyMaterial): string[] {
  return [
    `ENCRYPTION_KEYS=${material.encryptionKeys}`,
    `HASH_KEY=${material.hashKey}`,
    `SIGNING_KEY=${material.signingKey}`,
    ...(material.logChainKey ? [`LOG_CHAIN_KEY=${material.logChainKey}`] : []),
  ];
}

/** Writes `path` (mode 0600) with new development keys unless it exists. Returns whether it wrote. */
export async function writeDevVars(path = ".dev.vars"): Promise<boolean> {
  if (existsSync(path)) return false;
  const material = await generateKeyMaterial("dev1");
  const text = ["# Development keys for `wrangler dev` (not for production; see `npm run keys`).", "APP_ENV=development", ...keyLines(material), ""].join("\n");
  // "wx": never overwrite a file that appeared in the meantime.
  writeFileSync(path, text, { mode: 0o600, flag: "wx" });
  return true;
}

async function main() {
  if (process.argv.includes("--dev-vars")) {
    if (await writeDevVars()) console.log("wrote .dev.vars with development keys and APP_ENV=development");
    else console.log(".dev.vars exists; left unchanged (delete it to generate new development keys).");
    return;
  }
  // The key id names the generation, so a rotated key is easy to tell from the old one.
  const material = await generateKeyMaterial(`k${new Date().toISOString().slice(0, 10).replace(/-/g, "")}`);
  console.log("# Keep these secret and backed up: losing ENCRYPTION_KEYS makes stored data unreadable,");
  console.log("# changing HASH_KEY invalidates every receipt already issued.");
  console.log(keyLines(material).join("\n"));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
