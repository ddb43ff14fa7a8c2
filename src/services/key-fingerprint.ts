// The database remembers which keys its data was written with, so a process holding other keys (an
// admin command run without the server's SECRETS_FILE, a Worker given new secrets) refuses to start
// instead of writing rows nobody can read. Stored in app_state as short keyed fingerprints
// (security/keys.ts), never key material.
//
// What is fingerprinted: what reading existing data needs. Every encryption key id recorded must be
// present with the same key (the ring may gain a new active key in front: rotation; it is then added to
// the record, so a process without the new key is refused too); the hash key (receipt hashes) and the
// event chain key must be equal. The signing key is not: proofs name their key and every key that
// ever signed stays published, so a rotated signing key reads everything.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { appState } from "../db/schema";
import { KeyConfigError, type KeyFingerprints, type KeyRing } from "../security/keys";

export const KEY_FINGERPRINT_KEY = "key_fingerprint";

const FIX = "use the keys this database was written with: the server's ENCRYPTION_KEYS, HASH_KEY and LOG_CHAIN_KEY, or SECRETS_FILE pointing at its secrets file";

/** Why `current` cannot read data written under `recorded`, or null when it can. */
export function keyMismatch(recorded: KeyFingerprints, current: KeyFingerprints): KeyConfigError | null {
  for (const [id, fp] of Object.entries(recorded.encryption)) {
    if (!(id in current.encryption)) return new KeyConfigError("ENCRYPTION_KEYS", `has no key "${id}", which data in this database is encrypted with; ${FIX}`);
    if (current.encryption[id] !== fp) return new KeyConfigError("ENCRYPTION_KEYS", `key "${id}" is not the key this database was written with; ${FIX}`);
  }
  if (recorded.hash !== current.hash) return new KeyConfigError("HASH_KEY", `is not the key this database was written with; ${FIX}`);
  if (recorded.logChain !== current.logChain) return new KeyConfigError("LOG_CHAIN_KEY", `is not the key this database's event log was sealed with; ${FIX}`);
  return null;
}

function parseRecord(value: string): KeyFingerprints | null {
  try {
    const v = JSON.parse(value) as Partial<KeyFingerprints>;
    if (typeof v.hash === "string" && typeof v.logChain === "string" && v.encryption && typeof v.encryption === "object") return v as KeyFingerprints;
  } catch {
    // unreadable: treated as a mismatch below
  }
  return null;
}

/** The recorded fingerprints; undefined before the first record, or before migrations made the table. */
async function readRecord(db: Db): Promise<{ value: string } | undefined> {
  try {
    const [row] = await db.select({ value: appState.value }).from(appState).where(eq(appState.key, KEY_FINGERPRINT_KEY));
    return row;
  } catch (err) {
    if (/no such table/i.test(String((err as { cause?: unknown }).cause ?? err)) || /no such table/i.test(String(err))) return undefined;
    throw err;
  }
}

/**
 * Throws KeyConfigError (naming the variable to fix) when `keys` do not match the keys the database was
 * written with. With `record`, a database without a record gets one (its first writer's keys), and new
 * encryption key ids (a rotation) are added. Reads one row: cheap enough for every start.
 */
export async function checkKeyFingerprint(db: Db, keys: KeyRing, options: { record: boolean; now?: number }): Promise<void> {
  const row = await readRecord(db);
  const current = keys.fingerprints;
  if (row) {
    const recorded = parseRecord(row.value);
    if (!recorded) throw new KeyConfigError("SECRETS_FILE", `the key fingerprint stored in this database is unreadable; ${FIX}`);
    const mismatch = keyMismatch(recorded, current);
    if (mismatch) throw mismatch;
    const added = Object.keys(current.encryption).filter((id) => !(id in recorded.encryption));
    if (!options.record || added.length === 0) return;
    const merged: KeyFingerprints = { ...recorded, encryption: { ...recorded.encryption, ...current.encryption } };
    await db.update(appState).set({ value: JSON.stringify(merged), updatedAt: options.now ?? Date.now() }).where(eq(appState.key, KEY_FINGERPRINT_KEY));
    return;
  }
  if (!options.record) return;
  // A concurrent first writer may have recorded meanwhile: insert-or-ignore, then check what stands.
  await db
    .insert(appState)
    .values({ key: KEY_FINGERPRINT_KEY, value: JSON.stringify(current), updatedAt: options.now ?? Date.now() })
    .onConflictDoNothing();
  const stored = await readRecord(db);
  const recorded = stored ? parseRecord(stored.value) : null;
  const mismatch = recorded ? keyMismatch(recorded, current) : null;
  if (mismatch) throw mismatch;
}
