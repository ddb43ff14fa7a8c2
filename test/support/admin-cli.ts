// `npm run admin -- …` on a test's database and keys (the CLI is the interface): as a real process, or
// (the default) in this process — scripts/admin.ts evaluated afresh with the same argv, environment,
// standard output and error and exit code a process would have, without 1–2 s of process start per call.
import { execFile } from "node:child_process";
import { format, promisify } from "node:util";
import type { KeyMaterial } from "../../src/security/keys";
import type { TestContext } from "./context";

const run = promisify(execFile);

export interface AdminRun {
  code: number;
  /** Standard output then standard error. */
  out: string;
  stdout: string;
  stderr: string;
}

export interface AdminRunOptions {
  /** On a pseudo-terminal (util-linux `script`), as when a person types it; always a real process. */
  tty?: boolean;
  /** A real `node --import tsx scripts/admin.ts` process (each command family keeps a test that uses one). */
  process?: boolean;
}

/**
 * Runs the admin CLI with `args`; `env` adds variables (e.g. the chat platforms it delivers to). Never throws.
 * `out` is standard output then standard error; `stdout` and `stderr` are each on their own.
 */
export async function runAdmin(ctx: TestContext, keys: KeyMaterial, args: string[], env: Record<string, string> = {}, options: AdminRunOptions = {}): Promise<AdminRun> {
  const overrides = { APP_ENV: "test", DATABASE_URL: ctx.deps.config.DATABASE_URL, ENCRYPTION_KEYS: keys.encryptionKeys, HASH_KEY: keys.hashKey, SIGNING_KEY: keys.signingKey, LOG_CHAIN_KEY: keys.logChainKey ?? "", LOG_LEVEL: "error", ...env };
  return runAdminWithEnv(overrides, args, options);
}

/**
 * The admin CLI with this process's environment changed by `overrides` (undefined: the variable is unset),
 * for tests about the environment itself (which keys it gets). Never throws.
 */
export async function runAdminWithEnv(overrides: Record<string, string | undefined>, args: string[], options: AdminRunOptions = {}): Promise<AdminRun> {
  // FUNDWATCH_ADMIN_CLI=process runs every call as a real process (to compare, or to rule the runner out).
  if (!options.tty && !options.process && process.env.FUNDWATCH_ADMIN_CLI !== "process") return inProcess(args, overrides);
  const processEnv: Record<string, string | undefined> = { ...process.env, ...overrides };
  for (const [k, v] of Object.entries(processEnv)) if (v === undefined) delete processEnv[k];
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

/** process.exit() during an in-process run: unwinds the command (its `finally` blocks run, as the process's would not matter). */
class AdminExit extends Error {
  constructor(readonly code: number) {
    super(`admin exited with ${code}`);
  }
}

/** One in-process run at a time: it borrows process-wide state (argv, env, exit, standard output and error). */
let queue: Promise<unknown> = Promise.resolve();
let runs = 0;

function inProcess(args: string[], overrides: Record<string, string | undefined>): Promise<AdminRun> {
  const next = queue.then(() => evaluateAdmin(args, overrides));
  queue = next.catch(() => undefined);
  return next;
}

async function evaluateAdmin(args: string[], overrides: Record<string, string | undefined>): Promise<AdminRun> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const saved = {
    argv: process.argv,
    exit: process.exit,
    env: Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]])),
    stdoutWrite: process.stdout.write,
    stderrWrite: process.stderr.write,
    stdoutTty: Object.getOwnPropertyDescriptor(process.stdout, "isTTY"),
    console: { log: console.log, info: console.info, debug: console.debug, warn: console.warn, error: console.error },
  };
  // What a child process would see: its own argv, the variables, a pipe (not a terminal) on standard output.
  process.argv = [process.execPath, "scripts/admin.ts", ...args];
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.exit = ((code?: number) => {
    throw new AdminExit(typeof code === "number" ? code : 0);
  }) as typeof process.exit;
  // Bytes as written, decoded as UTF-8 at the end (as execFile decodes a child's output).
  const writer = (into: Buffer[]) =>
    ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error) => void), done?: (err?: Error) => void) => {
      into.push(typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : Buffer.from(chunk));
      const callback = typeof encoding === "function" ? encoding : done;
      if (callback) queueMicrotask(() => callback());
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = writer(stdout);
  process.stderr.write = writer(stderr);
  Object.defineProperty(process.stdout, "isTTY", { value: undefined, configurable: true, writable: true });
  const line = (into: Buffer[]) => (...parts: unknown[]) => void into.push(Buffer.from(`${format(...parts)}\n`));
  Object.assign(console, { log: line(stdout), info: line(stdout), debug: line(stdout), warn: line(stderr), error: line(stderr) });
  let code = 0;
  try {
    // A fresh evaluation of the script (its top-level `await main()` is the command); the modules it
    // imports stay loaded, as they would be in a long-lived process.
    await import(/* @vite-ignore */ `../../scripts/admin.ts?run=${++runs}`);
  } catch (err) {
    if (err instanceof AdminExit) code = err.code;
    else {
      // An uncaught error: Node prints it and exits 1.
      code = 1;
      stderr.push(Buffer.from(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
    }
  } finally {
    process.argv = saved.argv;
    process.exit = saved.exit;
    for (const [k, v] of Object.entries(saved.env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.stdout.write = saved.stdoutWrite;
    process.stderr.write = saved.stderrWrite;
    if (saved.stdoutTty) Object.defineProperty(process.stdout, "isTTY", saved.stdoutTty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
    Object.assign(console, saved.console);
  }
  const out = Buffer.concat(stdout).toString("utf8");
  const err = Buffer.concat(stderr).toString("utf8");
  return { code, out: out + err, stdout: out, stderr: err };
}
