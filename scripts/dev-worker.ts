// `npm run dev:worker`: the Worker locally in workerd on http://localhost:8787. Creates .dev.vars with
// development keys if missing, applies migrations/ to the local D1 database, then runs `wrangler dev`.
// Extra arguments go to `wrangler dev`, e.g. `npm run dev:worker -- --port 8788`; a `--persist-to DIR`
// among them is used for the migrations too.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants } from "node:os";
import { writeDevVars } from "./generate-keys";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
const args = process.argv.slice(2);

function persistTo(argv: string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("--persist-to=")) return [arg];
    if (arg === "--persist-to" && argv[i + 1]) return [arg, argv[i + 1]!];
  }
  return [];
}

if (await writeDevVars(join(root, ".dev.vars"))) console.log("created .dev.vars with development keys (APP_ENV=development)");

// Without a terminal on stdin and with CI=true wrangler applies migrations without asking "continue? (Y/n)".
const migrate = spawnSync(process.execPath, [wrangler, "d1", "migrations", "apply", "fundwatch", "--local", ...persistTo(args)], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...env, CI: "true" },
});
if (migrate.status !== 0) {
  console.error(`wrangler d1 migrations apply failed (${migrate.error?.message ?? `exit ${migrate.status ?? migrate.signal}`})`);
  process.exit(migrate.status || 1);
}

const dev = spawn(process.execPath, [wrangler, "dev", ...args], { cwd: root, stdio: "inherit", env });
// A terminal's Ctrl+C reaches wrangler directly too (same process group); forwarding covers kill/npm.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1)));
