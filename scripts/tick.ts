// `npm run tick`: one scheduler tick now (the same runTick as node-cron and the Workers cron), then the
// chat messages it queued are delivered. `npm run tick -- --dry-run --at <ISO 8601 instant> [--json]`
// changes nothing and prints what a tick at that instant would send: with --json one JSON array of
// { campaignId, deliverableId, unitId, kind, offsetDays, sendAt, dueAt } (campaign reminders).
import { createChatRuntime } from "../src/chat/runtime";
import { ConfigError, parseConfig } from "../src/config";
import { shanghaiDateTime } from "../src/core/time";
import { applyMigrations, openLibsqlDatabase } from "../src/db/libsql-file";
import { loadKeyMaterial } from "../src/node";
import { runTick } from "../src/scheduler/tick";
import { planCampaignReminders } from "../src/services/campaigns/reminders";
import { createConsoleLogger, type ServiceDeps } from "../src/services/deps";
import { ESCALATION_TICK_NODE } from "../src/services/leads/escalation";
import { importKeyRing, KeyConfigError } from "../src/security/keys";
import { nodeSyncCrypto } from "../src/security/node-crypto";
import { checkKeyFingerprint } from "../src/services/key-fingerprint";

const USAGE = "usage: npm run tick [-- --dry-run [--at <ISO 8601 instant, e.g. 2026-10-13T09:00:00+08:00>] [--json]]";
// An instant, not a local time: a date, a time and a zone (Z or ±HH:MM).
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  const known = new Set(["--dry-run", "--json", "--at"]);
  args.forEach((a, i) => {
    if (a.startsWith("--") && !known.has(a)) fail(`unknown option ${a}\n${USAGE}`);
    if (!a.startsWith("--") && args[i - 1] !== "--at") fail(`unexpected argument ${a}\n${USAGE}`);
  });
  const dryRun = args.includes("--dry-run");
  const json = args.includes("--json");
  const atIndex = args.indexOf("--at");
  const atText = atIndex >= 0 ? args[atIndex + 1] : undefined;
  if (atIndex >= 0 && (!atText || !ISO_INSTANT.test(atText) || Number.isNaN(Date.parse(atText)))) fail(`--at needs an ISO 8601 instant with a zone, e.g. 2026-10-13T09:00:00+08:00\n${USAGE}`);
  if (json && !dryRun) fail(`--json goes with --dry-run\n${USAGE}`);
  // A real tick writes its events at its own time: one in the past would write back-dated events, which
  // the event log refuses to seal.
  if (atIndex >= 0 && !dryRun) fail(`--at goes with --dry-run (a real tick runs at the current time)\n${USAGE}`);
  const at = atText ? new Date(atText) : new Date();

  const config = parseConfig(process.env);
  // The tick's own summary line would mix into --json output: only warnings and errors are logged.
  const log = createConsoleLogger(config.LOG_LEVEL === "info" || config.LOG_LEVEL === "debug" ? "warn" : config.LOG_LEVEL);
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  try {
    if (dryRun) {
      // Planning reads only: no keys are loaded (in development that could write the secrets file).
      const deps = { db, config, now: () => at, log } as unknown as ServiceDeps;
      const planned = await planCampaignReminders(deps, at);
      if (json) {
        process.stdout.write(`${JSON.stringify(planned)}\n`);
        return;
      }
      for (const p of planned)
        console.log(`${shanghaiDateTime(new Date(p.sendAt))}\t${p.kind}${p.offsetDays !== null ? ` ${p.offsetDays}d` : ""}\t${p.campaignId}\t${p.deliverableId}\t${p.unitId}\tdue ${shanghaiDateTime(new Date(p.dueAt))}`);
      console.log(`dry run at ${at.toISOString()}: ${planned.length} campaign reminder(s) would be sent; nothing was changed`);
      return;
    }
    const keys = await importKeyRing(await loadKeyMaterial(config, log), { syncCrypto: nodeSyncCrypto });
    const deps: ServiceDeps = { db, keys, config, now: () => at, log, escalationTick: ESCALATION_TICK_NODE };
    // Other keys than the data's: refused before anything is written (see services/key-fingerprint.ts).
    await checkKeyFingerprint(db, keys, { record: false });
    await applyMigrations(db);
    await checkKeyFingerprint(db, keys, { record: true });
    const chat = createChatRuntime({ ...deps, now: () => new Date() });
    const result = await runTick({ ...deps, chat }, at);
    const delivered = await chat.drain();
    await chat.close();
    const failed = Object.entries(result.jobs).filter(([, v]) => v === "failed").map(([k]) => k);
    console.log(`tick at ${result.at}: ${failed.length ? `failed jobs: ${failed.join(", ")}` : "all jobs ok"}${delivered && delivered.sent + delivered.retried > 0 ? `; chat: ${delivered.sent} more sent, ${delivered.retried} to retry` : ""}`);
    if (result.sealBlockedAt !== null) console.error(`event log: sealing stopped at event ${result.sealBlockedAt}, whose time lies before earlier events (back-dated); run npm run verify-log`);
    if (failed.length) process.exitCode = 1;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KeyConfigError) fail(err.message);
    throw err;
  } finally {
    client.close();
  }
}

await main();
