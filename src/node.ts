// Node entry: parses the environment, opens the embedded libSQL file (migrations applied), serves
// createApp on @hono/node-server and runs the scheduler tick with node-cron.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import cron from "node-cron";
import { ConfigError, parseConfig, type Config } from "./config";
import { resolveClientAddress } from "./core/client-address";
import { applyMigrations, openLibsqlDatabase } from "./db/libsql-file";
import { createApp } from "./http/app";
import type { ReceiptPdfRenderer } from "./http/receipt-pdf";
import { createChatRuntime } from "./chat/runtime";
import { importOrganisation, listTeams, orgFileSchema } from "./services/org/org";
import { listActiveCampaigns, startDemoCampaign } from "./services/campaigns/campaigns";
import { CAMPAIGN_TICK_NODE } from "./services/campaigns/reminders";
import { ESCALATION_TICK_NODE } from "./services/leads/escalation";
import type { AppDeps } from "./http/context";
import { runTick } from "./scheduler/tick";
import { createConsoleLogger, type Logger } from "./services/deps";
import { generateKeyMaterial, importKeyRing, KeyConfigError, type KeyMaterial } from "./security/keys";
import { nodeSyncCrypto } from "./security/node-crypto";
import { checkKeyFingerprint } from "./services/key-fingerprint";

/**
 * Keys from the environment, else from SECRETS_FILE. Only the server's start (`generate`) creates that
 * file with fresh development keys, so `npm ci && npm start` works and data stays readable across
 * restarts; a command-line tool without keys refuses instead (keys it made up would write data the
 * server cannot read).
 */
export async function loadKeyMaterial(config: Config, log: Logger, options: { generate?: boolean } = {}): Promise<KeyMaterial> {
  if (config.ENCRYPTION_KEYS && config.HASH_KEY && config.SIGNING_KEY)
    return { encryptionKeys: config.ENCRYPTION_KEYS, hashKey: config.HASH_KEY, signingKey: config.SIGNING_KEY, ...(config.LOG_CHAIN_KEY ? { logChainKey: config.LOG_CHAIN_KEY } : {}) };
  const file = resolve(config.SECRETS_FILE);
  let stored: KeyMaterial;
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, "utf8")) as KeyMaterial;
  } else if (!options.generate) {
    throw new KeyConfigError(
      "SECRETS_FILE",
      `${file} does not exist and ENCRYPTION_KEYS, HASH_KEY and SIGNING_KEY are not set: set them to the server's keys, or SECRETS_FILE to the server's secrets file (development keys are created by the server's first start, npm start)`,
    );
  } else {
    stored = await generateKeyMaterial("dev1");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    log.warn("generated development keys; set ENCRYPTION_KEYS, HASH_KEY and SIGNING_KEY in production", { file });
  }
  return {
    encryptionKeys: config.ENCRYPTION_KEYS ?? stored.encryptionKeys,
    hashKey: config.HASH_KEY ?? stored.hashKey,
    signingKey: config.SIGNING_KEY ?? stored.signingKey,
    // Secrets files written before the event chain existed have no chain key: it is then derived from the hash key.
    ...((config.LOG_CHAIN_KEY ?? stored.logChainKey) ? { logChainKey: config.LOG_CHAIN_KEY ?? stored.logChainKey } : {}),
  };
}

const DEFAULT_DEV_SEED = "examples/org.example.yaml";

/** A new installation: load teams and members from ORG_SEED_FILE once, when there are none yet. True if it did. */
async function seedOrganisation(deps: AppDeps, file: string): Promise<boolean> {
  if ((await listTeams(deps)).length > 0) return false;
  // The YAML parser only for this one read at a new installation's first start.
  const { parse: parseYaml } = await import("yaml");
  const parsed = orgFileSchema.safeParse(parseYaml(readFileSync(resolve(file), "utf8")));
  if (!parsed.success) throw new ConfigError(`ORG_SEED_FILE: ${file} is not a valid organisation file:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  const summary = await importOrganisation(deps, parsed.data, { type: "system", platform: "cli" });
  deps.log.info("organisation seeded", { file, teams: summary.teams.created, units: summary.units.created, members: summary.members.created });
  return true;
}

/** The receipt renderer, loading pdf-lib, fontkit and the font reader on its first call (a failed load is retried by the next). */
function lazyReceiptPdfRenderer(): ReceiptPdfRenderer {
  let renderer: Promise<ReceiptPdfRenderer> | null = null;
  return (doc) => {
    renderer ??= Promise.all([import("./http/receipt-pdf"), import("./http/cjk-font-node")]).then(([pdf, font]) => pdf.createReceiptPdfRenderer(font.loadCjkFont));
    renderer.catch(() => (renderer = null));
    return renderer.then((render) => render(doc));
  };
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface NodeServerOptions {
  /** Wraps the PDF renderer (tests count renders). */
  wrapReceiptPdf?: (render: ReceiptPdfRenderer) => ReceiptPdfRenderer;
  /** Called after every scheduled tick, with the time it ran for (tests wait for ticks instead of sleeping). */
  onTick?: (at: Date) => void;
}

/** Starts everything; used by `npm start` and by tests that need a real HTTP server. */
export async function startNodeServer(env: Record<string, string | undefined>, options: NodeServerOptions = {}): Promise<RunningServer> {
  const config = parseConfig(env);
  const log = createConsoleLogger(config.LOG_LEVEL);
  // Node has synchronous crypto: the key ring uses it (same formats as WebCrypto, which Workers keep).
  const keys = await importKeyRing(await loadKeyMaterial(config, log, { generate: true }), { syncCrypto: nodeSyncCrypto });
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  try {
    // Keys that do not match the data refuse the start before anything is written (migrations included).
    await checkKeyFingerprint(db, keys, { record: false });
    await applyMigrations(db);
    await checkKeyFingerprint(db, keys, { record: true });
  } catch (err) {
    client.close();
    throw err;
  }

  const deps: AppDeps = {
    db,
    keys,
    config,
    now: () => new Date(),
    log,
    campaignTick: CAMPAIGN_TICK_NODE,
    escalationTick: ESCALATION_TICK_NODE,
    compressResponses: true,
    // The PDF receipt with Chinese text: pdf-lib, fontkit and the CJK font load on the first receipt rendered.
    receiptPdf: (options.wrapReceiptPdf ?? ((render) => render))(lazyReceiptPdfRenderer()),
    clientAddress: (c) => {
      let socketAddress: string | undefined;
      try {
        socketAddress = getConnInfo(c).remote.address;
      } catch {
        socketAddress = undefined;
      }
      // Only the entry our own proxy appended is trusted; anything left of it is the client's say.
      return resolveClientAddress({ socketAddress, forwardedFor: c.req.header("x-forwarded-for"), trustProxy: config.TRUST_PROXY, trustedHops: config.TRUST_PROXY_HOPS });
    },
  };
  const chat = createChatRuntime(deps);
  deps.chat = chat;
  // In-process: start delivering as soon as a change queues chat messages.
  deps.notifyOutbox = (queued) => chat.notify(queued);
  // A fresh development installation gets the example organisation, so the whole loop shows at once.
  const seedFile = config.ORG_SEED_FILE ?? (config.APP_ENV === "development" && existsSync(DEFAULT_DEV_SEED) ? DEFAULT_DEV_SEED : undefined);
  const seeded = seedFile ? await seedOrganisation(deps, seedFile) : false;
  // With the example organisation, a demo campaign too (once, if none exists): each unit gets its start message or first reminder.
  if (seeded && seedFile === DEFAULT_DEV_SEED && (await listActiveCampaigns(deps)).length === 0) {
    const demo = await startDemoCampaign(deps, "510000");
    log.info("demo campaign started", { campaignId: demo.campaignId, units: demo.units });
  }
  const app = createApp(deps);

  const task = cron.schedule(
    config.CRON_SCHEDULE,
    async () => {
      const at = new Date();
      await runTick(deps, at);
      options.onTick?.(at);
    },
    { noOverlap: true, name: "fundwatch-tick" },
  );
  if (chat.telegramBot && config.TELEGRAM_POLLING) {
    // Local runs without a public URL: long polling instead of the webhook.
    void chat.telegramBot
      .get()
      .then((bot) => bot.start({ onStart: (info) => log.info("telegram long polling", { bot: info.username }) }))
      .catch((err: unknown) => log.error("telegram polling stopped", { error: err instanceof Error ? err.message : String(err) }));
  }
  // One long-lived delivery loop per platform, woken by notifyOutbox and sleeping until the next due row.
  chat.startDeliveryLoop();

  const server = await new Promise<ServerType>((resolveServer) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolveServer(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const url = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${port}`;
  log.info("FundWatch listening", { url, database: config.DATABASE_URL.startsWith("file:") ? config.DATABASE_URL : "remote" });

  return {
    url,
    port,
    async close() {
      await task.stop();
      await chat.close();
      if (chat.telegramBot?.loaded?.isRunning()) await chat.telegramBot.loaded.stop();
      await new Promise<void>((r) => server.close(() => r()));
      client.close();
    },
  };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  startNodeServer(process.env)
    .then((running) => {
      const stop = () => {
        running.close().finally(() => process.exit(0));
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    })
    .catch((err) => {
      if (err instanceof ConfigError || err instanceof KeyConfigError) {
        console.error(`FundWatch cannot start: ${err.message}`);
      } else {
        console.error("FundWatch cannot start:", err);
      }
      process.exit(1);
    });
}
