// The bare baselines' answer to sqld's "database is locked": sqld refuses a writer at once while another
// stream holds the write lock (the file waits through busy_timeout instead), so a waiting writer retries
// after a short pause and 20 connections measure throughput rather than lock failures.
import type { Client, InStatement } from "@libsql/client";

export async function executeWithBusyRetry(client: Client, stmt: InStatement, onRetry: () => void) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.execute(stmt);
    } catch (err) {
      const text = `${(err as { code?: string }).code ?? ""} ${(err as Error).message}`;
      if (attempt >= 50 || !/SQLITE_BUSY|database is locked/i.test(text)) throw err;
      onRetry();
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    }
  }
}
