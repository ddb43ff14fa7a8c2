// Holds the write lock of a libSQL file for a while from another process: node hold-write-lock.mjs <path> <ms>
import { createClient } from "@libsql/client";

const [path, ms] = process.argv.slice(2);
const client = createClient({ url: `file:${path}` });
const tx = await client.transaction("write");
await tx.execute("UPDATE app_state SET updated_at = updated_at WHERE key = 'org_version'");
process.stdout.write("locked\n");
setTimeout(async () => {
  await tx.rollback();
  client.close();
  process.exit(0);
}, Number(ms));
