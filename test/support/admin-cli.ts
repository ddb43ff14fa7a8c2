// `npm run admin -- …` as a real process on a test's database and keys (the CLI is the interface).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { KeyMaterial } from "../../src/security/keys";
import type { TestContext } from "./context";

const run = promisify(execFile);

/**
 * Runs the admin CLI with `args`; `env` adds variables (e.g. the chat platforms it delivers to). Never throws.
 * `out` is standard output then standard error; `stdout` and `stderr` are each on their own.
 */
export async function runAdmin(ctx: TestContext, keys: KeyMaterial, args: string[], env: Record<string, string> = {}, options: { tty?: boolean } = {}): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  const processEnv = { ...process.env, APP_ENV: "test", DATABASE_URL: ctx.deps.config.DATABASE_URL, ENCRYPTION_KEYS: keys.encryptionKeys, HASH_KEY: keys.hashKey, SIGNING_KEY: keys.signingKey, LOG_CHAIN_KEY: keys.logChainKey ?? "", LOG_LEVEL: "error", ...env };
  const argv = [process.execPath, "--import", "tsx", "scripts/admin.ts", ...args];
  // tty: the CLI runs on a pseudo-terminal (util-linux `script`), as when a person types it; its output
  // (standard output and error together) comes back as stdout.
  const [file, fileArgs]: [string, string[]] = options.tty ? ["script", ["-qec", argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" "), "/dev/null"]] : [argv[0]!, argv.slice(1)];
  try {
    const { stdout, stderr } = await run(file, fileArgs, { env: processEnv, timeout: 60_000 });
    return { code: 0, out: stdout + stderr, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: (e.stdout ?? "") + (e.stderr ?? ""), stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
