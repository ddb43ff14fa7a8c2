// Migrated templates the test contexts copy instead of each running the 24 migrations: a database file
// (copied per context on the "file" project) and, for the "sqld" project, one sqld server with a
// migrated template namespace (forked per context). Made once per vitest project by
// test/support/global-setup.ts and shared with every worker; context.ts falls back to making its own
// when run without that setup.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, openLibsqlDatabase } from "../../src/db/libsql-file";
import { createNamespace, startNamespaceProxy, startSqld } from "./sqld";

export interface SharedTestDatabases {
  /** A migrated, checkpointed database file (no -wal left): copy it, never open it. */
  templateFile: string;
  /** A sqld with namespaces on and a migrated namespace `template`: fork it, never write to it. */
  sqld: { port: number; adminUrl: string; template: string } | null;
}

declare module "vitest" {
  export interface ProvidedContext {
    fundwatchTestDatabases: SharedTestDatabases;
  }
}

export async function prepareTestDatabases(withSqld: boolean): Promise<{ shared: SharedTestDatabases; dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-template-"));
  const templateFile = join(dir, "template.db");
  const file = await openLibsqlDatabase(`file:${templateFile}`);
  await applyMigrations(file.db);
  // Everything into the main file, so a plain copy of it is the whole database.
  await file.client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  file.client.close();
  const wal = `${templateFile}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) throw new Error(`template database still has a WAL after the checkpoint: ${wal}`);

  let sqld: SharedTestDatabases["sqld"] = null;
  let stopSqld = async () => {};
  if (withSqld) {
    const server = await startSqld(dir, { namespaces: true });
    stopSqld = () => server.stop();
    const template = "template";
    await createNamespace({ adminUrl: server.adminUrl! }, template);
    const proxy = await startNamespaceProxy(server.port, template);
    try {
      const remote = await openLibsqlDatabase(proxy.url);
      await applyMigrations(remote.db);
      remote.client.close();
    } finally {
      await proxy.close();
    }
    sqld = { port: server.port, adminUrl: server.adminUrl!, template };
  }
  return {
    shared: { templateFile, sqld },
    async dispose() {
      await stopSqld();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
