// The embedded database file: private to its owner from the first byte, WAL with synchronous=FULL.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyMigrations, databaseFilePath, openLibsqlDatabase } from "../../src/db/libsql-file";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const mode = (path: string) => statSync(path).mode & 0o777;

describe("database file", () => {
  it("creates the file and its -wal/-shm readable by the owner only, whatever the umask", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fundwatch-dbfile-"));
    dirs.push(dir);
    const path = join(dir, "data", "fundwatch.db");
    const previous = process.umask(0o022);
    try {
      const { db, client } = await openLibsqlDatabase(`file:${path}`);
      await applyMigrations(db);
      await client.execute("INSERT INTO app_state (key, value, updated_at) VALUES ('probe', '1', 0)");
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      client.close();
    } finally {
      process.umask(previous);
    }
  });

  it("tightens an existing world-readable file before opening it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fundwatch-dbfile-"));
    dirs.push(dir);
    const path = join(dir, "old.db");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    const { client } = await openLibsqlDatabase(`file:${path}`);
    expect(mode(path)).toBe(0o600);
    client.close();
  });

  it("runs WAL with synchronous=FULL and foreign keys on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fundwatch-dbfile-"));
    dirs.push(dir);
    const { client } = await openLibsqlDatabase(`file:${join(dir, "x.db")}`);
    expect((await client.execute("PRAGMA journal_mode")).rows[0]![0]).toBe("wal");
    // 2 = FULL (0 OFF, 1 NORMAL, 3 EXTRA).
    expect(Number((await client.execute("PRAGMA synchronous")).rows[0]![0])).toBe(2);
    expect(Number((await client.execute("PRAGMA foreign_keys")).rows[0]![0])).toBe(1);
    client.close();
  });

  it("knows which URLs are files", () => {
    expect(databaseFilePath("file:./data/x.db?mode=rwc")).toMatch(/data\/x\.db$/);
    expect(databaseFilePath("file::memory:")).toBeNull();
    expect(databaseFilePath("http://127.0.0.1:8080")).toBeNull();
  });
});
