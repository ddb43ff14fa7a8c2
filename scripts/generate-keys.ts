// `npm run keys`: fresh key material. Prints .env lines; `--dev-vars` writes .dev.vars for `wrangler dev`.
import { existsSync, writeFileSync } from "node:fs";
import { generateKeyMaterial } from "../src/security/keys";

const material = await generateKeyMaterial(`k${new Date().toISOString().slice(0, 10).replace(/-/g, "")}`);
const lines = [`ENCRYPTION_KEYS=${material.encryptionKeys}`, `HASH_KEY=${material.hashKey}`, `SIGNING_KEY=${material.signingKey}`];

if (process.argv.includes("--dev-vars")) {
  if (existsSync(".dev.vars")) {
    console.log(".dev.vars exists; left unchanged.");
  } else {
    writeFileSync(".dev.vars", ["# Development keys for `wrangler dev` (not for production).", "APP_ENV=development", ...lines, ""].join("\n"), { mode: 0o600 });
    console.log("wrote .dev.vars with development keys");
  }
} else {
  console.log("# Keep these secret and backed up: losing ENCRYPTION_KEYS makes stored data unreadable,");
  console.log("# changing HASH_KEY invalidates every receipt already issued.");
  console.log(lines.join("\n"));
}
