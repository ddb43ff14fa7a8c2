// `npm run dev:worker`: the Worker locally in workerd. Creates .dev.vars with development keys if
// missing, applies migrations to the local D1 database, then runs `wrangler dev` (extra arguments are
// passed through, e.g. `npm run dev:worker -- --port 8788`).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { generateKeyMaterial } from "../src/security/keys";

const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

if (!existsSync(".dev.vars")) {
  const keys = await generateKeyMaterial("dev1");
  writeFileSync(
    ".dev.vars",
    ["# Development keys for `wrangler dev` (not for production).", "APP_ENV=development", `ENCRYPTION_KEYS=${keys.encryptionKeys}`, `HASH_KEY=${keys.hashKey}`, `SIGNING_KEY=${keys.signingKey}`, ""].join("\n"),
    { mode: 0o600 },
  );
  console.log("created .dev.vars with development keys");
}

// CI=true answers wrangler's "apply these migrations?" question without a terminal.
const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "fundwatch", "--local"], { stdio: "inherit", env: { ...env, CI: "true" } });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn("npx", ["wrangler", "dev", ...process.argv.slice(2)], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
