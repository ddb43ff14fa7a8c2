// Cloudflare Workers entry: `fetch` serves createApp, `scheduled` runs the same tick as node-cron.
// Storage: remote libSQL (Turso/sqld) when DATABASE_URL is set, otherwise the D1 binding `DB`
// (local SQLite in `wrangler dev`). Migrations are applied out of band: `wrangler d1 migrations apply`
// for D1, `npm run db:migrate` for libSQL.
import type { D1Database } from "@cloudflare/workers-types";
import type { ExecutionContext } from "hono";
// libSQL over HTTP only (libsql: URLs go over HTTPS here anyway): a WebSocket opened while serving one
// request cannot be used by the next in Workers, and the runtime below lives across requests. Taking the
// HTTP client and drizzle's driver over it (not @libsql/client/web, which drizzle's libsql/web driver
// imports) also keeps libSQL's WebSocket client out of the bundle.
import { createClient } from "@libsql/client/http";
import { drizzle as drizzleLibsql } from "drizzle-orm/libsql/http";
import { ConfigError, parseConfig } from "./config";
import { schema, type Db } from "./db/client";
import { drizzleD1 } from "./db/d1";
import { createApp } from "./http/app";
import { createChatRuntime } from "./chat/runtime";
import type { AppDeps } from "./http/context";
import { runTick } from "./scheduler/tick";
import { CAMPAIGN_TICK_WORKERS } from "./services/campaigns/reminders";
import { createConsoleLogger } from "./services/deps";
import { importKeyRing } from "./security/keys";
import { checkKeyFingerprint } from "./services/key-fingerprint";

export interface Env {
  DB?: D1Database;
  [variable: string]: unknown;
}

interface Runtime {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
}

let runtime: Promise<Runtime> | undefined;
let drainRequested = false;

async function createRuntime(env: Env): Promise<Runtime> {
  const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const config = parseConfig(strings);
  const missing = (["ENCRYPTION_KEYS", "HASH_KEY", "SIGNING_KEY"] as const).filter((k) => !config[k]);
  if (missing.length)
    throw new ConfigError(`invalid configuration:\n${missing.map((k) => `  ${k}: required on Workers (set with \`wrangler secret put ${k}\`, or in .dev.vars for wrangler dev)`).join("\n")}`);
  const keys = await importKeyRing({ encryptionKeys: config.ENCRYPTION_KEYS!, hashKey: config.HASH_KEY!, signingKey: config.SIGNING_KEY!, ...(config.LOG_CHAIN_KEY ? { logChainKey: config.LOG_CHAIN_KEY } : {}) });
  let db: Db;
  if (strings.DATABASE_URL) {
    if (/^wss?:/i.test(config.DATABASE_URL))
      throw new ConfigError("invalid configuration:\n  DATABASE_URL: use a libsql:// or https:// URL on Workers (a ws:// or wss:// connection cannot outlive the request that opened it)");
    db = drizzleLibsql(createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN }), { schema });
  } else if (env.DB) {
    // D1 speaks the same SQLite dialect; the services use only what both drivers share (batch, query, returning).
    // (src/db/d1.ts: drizzle's D1 driver, with batches that also bind raw `db.run(sql…)` statements.)
    db = drizzleD1(env.DB);
  } else {
    throw new ConfigError("invalid configuration:\n  DATABASE_URL: set a libsql:// or https:// URL, or bind a D1 database as DB");
  }
  // Once per isolate (the runtime is memoised): keys that do not match the data refuse to serve.
  await checkKeyFingerprint(db, keys, { record: true });
  const deps: AppDeps = {
    db,
    keys,
    config,
    now: () => new Date(),
    log: createConsoleLogger(config.LOG_LEVEL),
    campaignTick: CAMPAIGN_TICK_WORKERS,
    clientAddress: (c) => c.req.header("cf-connecting-ip") ?? undefined,
  };
  // Bolt's Web API client on workerd needs fetch without redirect following (see PLATFORM-NOTES).
  const chat = createChatRuntime(deps, { fetch: (input, init) => fetch(input, { ...init, redirect: "manual" }) });
  deps.chat = chat;
  // Delivery after the response, within the request's waitUntil (see fetch below).
  deps.notifyOutbox = () => {
    drainRequested = true;
  };
  return { deps, app: createApp(deps) };
}

function getRuntime(env: Env): Promise<Runtime> {
  runtime ??= createRuntime(env).catch((err) => {
    runtime = undefined;
    throw err;
  });
  return runtime;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let rt: Runtime;
    try {
      rt = await getRuntime(env);
    } catch (err) {
      console.error(`FundWatch cannot start: ${err instanceof Error ? err.message : String(err)}`);
      return Response.json({ error: { code: "internal", message: "service misconfigured", requestId: "startup" } }, { status: 500 });
    }
    const response = await rt.app.fetch(request, env, ctx);
    if (drainRequested && rt.deps.chat) {
      drainRequested = false;
      ctx.waitUntil(rt.deps.chat.drain());
    }
    return response;
  },
  async scheduled(event: { scheduledTime: number; cron: string }, env: Env, ctx: ExecutionContext): Promise<void> {
    const rt = await getRuntime(env);
    ctx.waitUntil(runTick(rt.deps, new Date(event.scheduledTime)).then(() => rt.deps.chat?.drain()));
  },
};
