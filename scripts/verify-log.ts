// `npm run verify-log`: recomputes the event log's hash chain over the whole database (same
// DATABASE_URL and keys as the server). Exit 0 with the number of events checked; exit 1 naming the
// first edited, deleted or reordered row. `--anchor <id>:<hash>` (a chain head copied from a tick's
// log line, kept outside the database) also catches the newest rows being cut off. Reads only.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, parseConfig } from "../src/config";
import { openLibsqlDatabase } from "../src/db/libsql-file";
import { loadKeyMaterial } from "../src/node";
import { describeProblem, verifyEventChain, type ChainHead } from "../src/services/audit/event-chain";
import { createConsoleLogger } from "../src/services/deps";
import { importKeyRing, KeyConfigError } from "../src/security/keys";
import { nodeSyncCrypto } from "../src/security/node-crypto";
import { checkKeyFingerprint } from "../src/services/key-fingerprint";

function parseAnchor(text: string | undefined): ChainHead | undefined {
  if (!text) return undefined;
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) throw new ConfigError(`--anchor: expected <event-id>:<64 hex chain hash>, as printed in a tick's log line (chainHead)`);
  return { id: Number(m[1]), hash: m[2]! };
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const anchorIndex = argv.indexOf("--anchor");
  const anchor = parseAnchor(anchorIndex >= 0 ? argv[anchorIndex + 1] : undefined);
  const config = parseConfig(env);
  const filePath = config.DATABASE_URL.startsWith("file:") ? config.DATABASE_URL.slice("file:".length).split("?")[0]! : null;
  // Checking must never create an empty database and then call it sound.
  if (filePath && !existsSync(filePath)) throw new ConfigError(`DATABASE_URL: ${config.DATABASE_URL} does not exist (start the server once or run npm run db:migrate)`);
  const log = createConsoleLogger("error");
  const keys = await importKeyRing(await loadKeyMaterial(config, log), { syncCrypto: nodeSyncCrypto });
  const { db, client } = await openLibsqlDatabase(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
  try {
    const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('events', 'app_state')");
    if (tables.rows.length < 2) throw new ConfigError(`DATABASE_URL: ${filePath ?? "the database"} has no FundWatch event log (migrations not applied?)`);
    // Other keys would report the first row as edited: name the real problem instead.
    await checkKeyFingerprint(db, keys, { record: false });
    const report = await verifyEventChain(db, keys, anchor ? { anchor } : {});
    if (!report.ok) {
      console.error(`verify-log: FAILED after ${report.checked} good events: ${describeProblem(report.problem!)}`);
      return 1;
    }
    const tail = report.unsealed ? ` (${report.unsealed} newer events not sealed yet; the next tick seals them)` : "";
    console.log(`verify-log: ok, ${report.checked} events checked, chain head ${report.head.id}:${report.head.hash || "-"}${tail}`);
    return 0;
  } finally {
    client.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), process.env)
    .then((code) => process.exit(code))
    .catch((err) => {
      const known = err instanceof ConfigError || err instanceof KeyConfigError;
      console.error(`verify-log: cannot run: ${known ? err.message : err instanceof Error ? err.stack : String(err)}`);
      process.exit(2);
    });
}
