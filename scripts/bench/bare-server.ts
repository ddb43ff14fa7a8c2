// The reference server for intake.bench: a bare Hono app on @hono/node-server whose one route stores the
// JSON body with a single INSERT through @libsql/client. Run as its own process; prints `LISTENING <port>`.
// File databases get WAL and the given synchronous level (FULL is what the real server uses); over
// sqld, a write refused with "database is locked" is retried (as a waiting writer would), so 20
// concurrent connections measure throughput rather than lock failures.
// Run: node --import tsx scripts/bench/bare-server.ts --url file:/tmp/x.db [--synchronous FULL|NORMAL]
import { executeWithBusyRetry } from "./busy-retry";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createClient, type InStatement } from "@libsql/client";
import { Hono } from "hono";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const URL_ = arg("url", "");
const SYNCHRONOUS = arg("synchronous", "FULL");
if (!/^(FULL|NORMAL)$/.test(SYNCHRONOUS)) throw new Error("--synchronous must be FULL or NORMAL");
const isFile = URL_.startsWith("file:");

const client = createClient(isFile ? { url: URL_, timeout: 5000 } as Parameters<typeof createClient>[0] : { url: URL_ });
if (isFile) {
  await client.execute("PRAGMA journal_mode = WAL");
  await client.execute(`PRAGMA synchronous = ${SYNCHRONOUS}`);
  await client.execute("PRAGMA busy_timeout = 5000");
}
await client.execute("CREATE TABLE IF NOT EXISTS bench_tips (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL)");

let retries = 0;
const execute = (stmt: InStatement) => executeWithBusyRetry(client, stmt, () => retries++);

const app = new Hono();
app.post("/ingest", async (c) => {
  const body = await c.req.json();
  await execute({ sql: "INSERT INTO bench_tips (id, body, created_at) VALUES (?, ?, ?)", args: [randomUUID(), JSON.stringify(body), Date.now()] });
  return c.json({ ok: true }, 201);
});
app.get("/retries", (c) => c.json({ retries }));

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => {
  console.log(`LISTENING ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
